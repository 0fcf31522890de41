/* blackhole: a loopback address whose SYNs are dropped, like a host that
 * has gone away, for the connect tests. It listens on HOST (127.0.0.2 by
 * default) with a backlog of 0, never accepts, and fills the accept queue
 * with connections of its own: from then on the kernel drops every SYN to
 * that port, so a connect waits (and retransmits) until its caller gives up.
 *   blackhole [HOST [PORT]]   prints "listening on http://HOST:PORT" once
 *                             the queue is full, then waits for SIGTERM
 * (PORT 0, the default, is any free one; give one to put the hole at the
 * port of a server on another loopback address, for a name with both.)
 * Left out: anything but loopback; it proves the queue is full by a connect
 * of its own that does not complete within 0.2 s.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "driver.h"
#include "net.h"

#define MAX_FILLERS 64

/* A non-blocking connect to fd's address; 1 when it completed within
 * 0.2 s (the queue had room), 0 when it did not (the SYN was dropped). */
static int connect_completes(int *out, const struct sockaddr *addr, socklen_t len)
{
    int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    *out = fd;
    if (fd < 0)
        return -1;
    if (connect(fd, addr, len) == 0)
        return 1;
    if (errno != EINPROGRESS)
        return -1;
    struct pollfd p = { .fd = fd, .events = POLLOUT };
    int n = poll(&p, 1, 200);
    return n < 0 ? -1 : n;
}

static const char usage[] =
    "usage: blackhole [HOST [PORT]]\n"
    "Listens on HOST (default 127.0.0.2) and PORT (default 0: any), fills the\n"
    "accept queue, prints \"listening on http://HOST:PORT\", waits for SIGTERM.\n";

int main(int argc, char **argv)
{
    char err[NET_ERR_LEN];
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    int fillers[MAX_FILLERS], n = 0, port, full = 0;
    long want_port = 0;

    int code = driver_parse_options(argc, argv, "blackhole", usage);
    if (code >= 0)
        return code;
    if (argc - optind > 2)
        return driver_usage_error("at most HOST and PORT, not also '%s'", argv[optind + 2]);
    const char *host = optind < argc ? argv[optind] : "127.0.0.2";
    if (optind + 1 < argc && (want_port = driver_number("PORT", argv[optind + 1], 0, 65535)) < 0)
        return 2;
    int listen_fd = net_listen(host, (int)want_port, &port, err, sizeof err);
    if (listen_fd < 0 || listen(listen_fd, 0) < 0
        || getsockname(listen_fd, (struct sockaddr *)&addr, &len) < 0) {
        fprintf(stderr, "blackhole: %s\n", listen_fd < 0 ? err : strerror(errno));
        return 1;
    }
    while (n < MAX_FILLERS && !full) {
        int rc = connect_completes(&fillers[n], (struct sockaddr *)&addr, len);
        if (rc < 0) {
            fprintf(stderr, "blackhole: connect: %s\n", strerror(errno));
            return 1;
        }
        full = rc == 0;   /* this one's SYN was dropped: the queue is full */
        n++;
    }
    if (!full) {
        fprintf(stderr, "blackhole: %d connections and the queue still takes more\n", n);
        return 1;
    }
    printf("listening on http://%s%s%s:%d\n", strchr(host, ':') ? "[" : "", host,
           strchr(host, ':') ? "]" : "", port);
    fflush(stdout);
    sigset_t set;
    int sig;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    sigwait(&set, &sig);
    for (int i = 0; i < n; i++)
        close(fillers[i]);
    close(listen_fd);
    return 0;
}
