/* clients: many misbehaving clients at once, for the server matrix
 * (tests/servers.bats). Bash can open a few sockets; this opens hundreds.
 *   clients idle N PORT SECONDS   N connections each send half a request
 *                                 head, print "holding N", wait SECONDS, close
 *   clients vanish N PORT PATH    N clients send "GET PATH", wait for the
 *                                 first byte of each answer, then all vanish
 *                                 (odd ones with a TCP RST); print "vanished N"
 * Exit 0, or 1 with a message when a connection could not be made.
 * Left out: anything but 127.0.0.1, checking what the server answered.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "driver.h"
#include "net.h"
#include "timeline.h"

/* Opens n connections to 127.0.0.1:port into fds; each gets `request`. */
static int open_all(int *fds, int n, int port, const char *request)
{
    char err[NET_ERR_LEN];
    for (int i = 0; i < n; i++) {
        fds[i] = net_connect("127.0.0.1", port, timeline_now() + 10, err, sizeof err);
        if (fds[i] < 0) {
            fprintf(stderr, "clients: connection %d: %s\n", i + 1, err);
            return -1;
        }
        if (net_write_all(fds[i], request, strlen(request), timeline_now() + 10) < 0) {
            fprintf(stderr, "clients: send on connection %d: %s\n", i + 1, strerror(errno));
            return -1;
        }
    }
    return 0;
}

static void close_all(int *fds, int n)
{
    for (int i = 0; i < n; i++)
        net_close(fds[i]);
}

/* Waits until every fd has something to read (or was closed), 10 s at most. */
static int first_byte_of_each(int *fds, int n)
{
    for (int i = 0; i < n; i++) {
        char byte;
        if (net_read_some(fds[i], &byte, 1, timeline_now() + 10) < 0) {
            fprintf(stderr, "clients: reading connection %d: %s\n", i + 1, strerror(errno));
            return -1;
        }
    }
    return 0;
}

/* Closes with a RST instead of a FIN: SO_LINGER with a zero timeout. */
static void reset(int fd)
{
    struct linger hard = { 1, 0 };
    if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard) < 0)
        perror("clients: setsockopt SO_LINGER");
}

static void wait_seconds(double seconds)
{
    struct timespec ts = { (time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9) };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static const char usage[] =
    "usage: clients idle N PORT SECONDS | clients vanish N PORT PATH\n"
    "N connections (1 to 5000) to 127.0.0.1:PORT that send half a request head\n"
    "and wait SECONDS (idle), or GET PATH and vanish at the first byte (vanish).\n";

int main(int argc, char **argv)
{
    int rc = driver_parse_options(argc, argv, "clients", usage);
    if (rc >= 0)
        return rc;
    argv += optind - 1;   /* argv[1] is the mode, as if there were no options */
    if (argc - optind != 4)
        return driver_usage_error("a mode (idle or vanish), N, PORT and SECONDS or PATH are needed");
    if (strcmp(argv[1], "idle") != 0 && strcmp(argv[1], "vanish") != 0)
        return driver_usage_error("the mode must be idle or vanish, not '%s'", argv[1]);
    long n_arg = driver_number("N", argv[2], 1, 5000);
    long port_arg = n_arg < 0 ? -1 : driver_number("PORT", argv[3], 1, 65535);
    if (port_arg < 0)
        return 2;
    int n = (int)n_arg, port = (int)port_arg;
    rc = 1;
    int *fds = malloc((size_t)n * sizeof *fds);
    char request[256];
    if (fds == NULL) {
        perror("clients");
        return 1;
    }
    for (int i = 0; i < n; i++)
        fds[i] = -1;
    if (strcmp(argv[1], "idle") == 0) {
        if (open_all(fds, n, port, "GET /slow HTTP/1.0\r\nX-Half: a request head that never ends") == 0) {
            printf("holding %d\n", n);
            fflush(stdout);
            wait_seconds(atof(argv[4]));
            rc = 0;
        }
    } else {
        snprintf(request, sizeof request, "GET %.200s HTTP/1.0\r\n\r\n", argv[4]);
        if (open_all(fds, n, port, request) == 0 && first_byte_of_each(fds, n) == 0) {
            for (int i = 1; i < n; i += 2)
                reset(fds[i]);
            printf("vanished %d\n", n);
            rc = 0;
        }
    }
    close_all(fds, n);
    free(fds);
    return rc;
}
