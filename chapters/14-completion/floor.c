/* floor: what a loopback connection costs this machine with nothing else
 * in the way. N blocking connects, one after another, each followed by its
 * request and kept open; then every answer read to its end and each
 * socket closed. The first figure is the least time any fetcher of N
 * pages at once needs before its last request is in, so N pages of 1 s
 * cannot end before 1 s plus it (the README's "Where the time over the
 * ideal goes"; ./bench prints it as a row).
 * Left out: every address but the first of a name, checking the answers
 * (read to the end and counted).
 */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "http.h"
#include "net.h"
#include "timeline.h"
#include "url.h"

static int usage_error(const char *fmt, const char *arg)
{
    fputs("floor: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'floor --help'.\n", stderr);
    return 2;
}

/* --connections N, --timeout S, one URL; -1 to go on, else the exit status. */
static int parse_options(int argc, char **argv, long *n, double *timeout, const char **url)
{
    static const struct option options[] = {
        { "connections", required_argument, NULL, 'c' },
        { "timeout", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 } };
    int opt;
    char *end;
    opterr = 0;                       /* the messages below say it our way */
    while ((opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        if (opt == 'h') {
            printf("usage: floor [--connections N] [--timeout S] URL\n"
                   "Set up N connections to URL one after another (blocking socket, connect\n"
                   "and send, kept open), then read every answer; print how long each half took.\n"
                   "  --connections N   1 to 1000000 (default 1000)\n"
                   "  --timeout S       give up after S seconds in all (default 30)\n");
            return 0;
        }
        if (opt == ':')
            return usage_error("%s needs a value", argv[optind - 1]);
        if (opt == '?')               /* optopt: the letter of an unknown -x */
            return usage_error("unknown option '%s'",
                               optopt != 0 ? (char[]){ '-', (char)optopt, '\0' } : argv[optind - 1]);
        if (opt == 'c') {
            *n = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || *n < 1 || *n > 1000000)
                return usage_error("--connections must be a number from 1 to 1000000, not '%s'",
                                   optarg);
        } else if (opt == 't') {
            *timeout = strtod(optarg, &end);
            if (*optarg == '\0' || *end != '\0' || !(*timeout > 0 && *timeout <= 3600))
                return usage_error("--timeout must be seconds in (0, 3600], not '%s'", optarg);
        }
    }
    if (optind < argc - 1)
        return usage_error("one URL only, not also '%s'", argv[optind + 1]);
    *url = argv[optind];
    return *url != NULL ? -1 : usage_error("%s", "a URL is needed");
}

/* One connection to ai, its request sent: the fd, or -1 with err. The
 * socket's send timeout (the time left) bounds a connect to a silent host. */
static int connect_and_send(const struct addrinfo *ai, const char *req, size_t len,
                            double deadline, char *err, size_t errlen)
{
    char where[NET_HOST_PORT_LEN];
    double left = deadline - timeline_now();
    struct timeval tv = { (time_t)left, (suseconds_t)((left - (double)(time_t)left) * 1e6) };
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    if (left <= 0)
        errno = ETIMEDOUT;
    if (left <= 0 || setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0
        || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 || net_write_all(fd, req, len, deadline) < 0) {
        snprintf(err, errlen, "%s: %s", net_addr_text(ai, where, sizeof where), strerror(errno));
        net_close(fd);
        return -1;
    }
    return fd;
}

int main(int argc, char **argv)
{
    long n = 1000;
    double timeout = 30;
    const char *text = NULL;
    int rc = parse_options(argc, argv, &n, &timeout, &text);
    if (rc >= 0)
        return rc;
    struct url url;
    char err[NET_ERR_LEN + HTTP_ERR_LEN];
    if (url_parse(text, &url, err, sizeof err) < 0)
        return usage_error("%s", err);
    long limit = net_raise_fd_limit();
    if (limit > 0 && n > limit - 16) {
        fprintf(stderr, "floor: %ld connections need %ld fds; the limit here is %ld\n", n, n + 16, limit);
        return 1;
    }
    struct addrinfo *list = NULL;
    size_t req_len;
    char *req = http_format_get_new(&url, &req_len);
    int *fds = malloc((size_t)n * sizeof *fds);
    if (req == NULL || fds == NULL || net_resolve(url.host, url.port, &list, err, sizeof err) < 0) {
        fprintf(stderr, "floor: %s: %s\n", text, req == NULL || fds == NULL ? strerror(errno) : err);
        free(req);
        free(fds);
        return 1;
    }

    double start = timeline_now(), deadline = start + timeout;
    long opened = 0, answered = 0;
    int said = 0;                     /* a read failure was named (one is enough) */
    for (; opened < n; opened++)
        if ((fds[opened] = connect_and_send(list, req, req_len, deadline, err, sizeof err)) < 0)
            break;
    double set_up = timeline_now();
    if (opened < n)
        fprintf(stderr, "floor: %s: connection %ld of %ld: %s\n", text, opened + 1, n, err);
    for (long i = 0; i < opened; i++) {
        char buf[16 * 1024];
        ssize_t got;
        while ((got = net_read_some(fds[i], buf, sizeof buf, deadline)) > 0)
            ;
        if (got == 0)
            answered++;
        else if (!said++)
            fprintf(stderr, "floor: %s: connection %ld: read: %s\n", text, i + 1, strerror(errno));
        net_close(fds[i]);
    }
    double end = timeline_now();
    printf("floor: %ld connections set up in %.3f s (%.1f us each), %ld answered in %.3f s\n",
           opened, set_up - start, opened > 0 ? (set_up - start) / (double)opened * 1e6 : 0.0,
           answered, end - start);
    freeaddrinfo(list);
    free(req);
    free(fds);
    return opened == n && answered == n ? 0 : 1;
}
