/* flood: open N connections to one URL at once, all on one reactor, and
 * report how many completed, the wall and CPU time, the slowest answer and
 * the memory they cost. --backend picks how the reactor waits, so the same
 * load shows where select hits its wall and what poll and epoll cost.
 * The URL's host is resolved once (blocking, before the clock starts);
 * each connection tries its addresses in turn, the next when one refuses.
 * Left out: keeping bodies (counted, then freed), retries, keep-alive,
 * naming every address in a failure (the last one's error is counted).
 */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http.h"
#include "net.h"
#include "reactor.h"
#include "timeline.h"
#include "url.h"

enum conn_state { CONNECTING, SENDING, READING, DONE };

struct flood;
static void on_conn_ready(struct reactor *r, int fd, int events, void *arg);

struct conn {
    struct flood *flood;
    const struct addrinfo *addr; /* the address being tried */
    int fd;
    enum conn_state state;
    size_t sent;                 /* bytes of the request sent so far */
    struct http_response res;
    double sent_at;              /* when the whole request was out */
};

#define MAX_KINDS 8              /* distinct error messages counted */

struct flood {
    struct reactor *reactor;
    struct url url;
    struct addrinfo *addrs;      /* the URL's host, resolved */
    char request[URL_PATH_MAX + 512];
    size_t request_len;
    int n_open, completed, failed;
    double slowest;              /* the longest wait for an answer */
    char kinds[MAX_KINDS][160];  /* failures, grouped by message */
    int kind_count[MAX_KINDS];
    int first_refused_fd;        /* the first fd select could not take */
    struct conn *conns;          /* n of them */
    int n, started;
    struct timer deadline;       /* the whole run's --timeout */
    struct timer more;           /* starts the next batch */
};

static void conn_close(struct conn *c)
{
    struct flood *f = c->flood;
    if (c->fd >= 0) {
        reactor_unwatch(f->reactor, c->fd);   /* unwatch before close */
        close(c->fd);
        c->fd = -1;
        f->n_open--;
    }
}

/* Ends a connection: closes it and counts the outcome (why == NULL: ok). */
static void conn_end(struct conn *c, const char *why)
{
    struct flood *f = c->flood;
    conn_close(c);
    c->state = DONE;
    http_response_free(&c->res);
    if (f->completed + f->failed + 1 == f->n)
        reactor_stop(f->reactor);         /* the last one: the deadline can go */
    if (why == NULL) {
        f->completed++;
        double took = timeline_now() - c->sent_at;
        f->slowest = took > f->slowest ? took : f->slowest;
        return;
    }
    f->failed++;
    for (int k = 0; k < MAX_KINDS; k++)
        if (f->kind_count[k] == 0 || strcmp(f->kinds[k], why) == 0) {
            snprintf(f->kinds[k], sizeof f->kinds[k], "%s", why);
            f->kind_count[k]++;
            return;
        }
}

/* The steps below return 0 to go on, -1 when the connection has ended. */
static int fail(struct conn *c, const char *why)
{
    conn_end(c, why);
    return -1;
}

static void conn_connect(struct conn *c, const struct addrinfo *ai);

/* -1 also when it failed and the next address is being tried. */
static int finish_connect(struct conn *c)
{
    char err[NET_ERR_LEN], where[NET_HOST_PORT_LEN];
    struct url *u = &c->flood->url;
    if (net_connect_result(c->fd, u->host, u->port, NULL, 0) < 0) {
        snprintf(err, sizeof err, "connect %s: %s",
                 net_addr_text(c->addr, where, sizeof where), strerror(errno));
        if (c->addr->ai_next == NULL)
            return fail(c, err);
        conn_close(c);
        conn_connect(c, c->addr->ai_next);   /* refused: the next address */
        return -1;
    }
    c->state = SENDING;
    return 0;
}

static int send_request(struct reactor *r, struct conn *c)
{
    const struct flood *f = c->flood;
    ssize_t n = send(c->fd, f->request + c->sent, f->request_len - c->sent, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EINTR)
        return fail(c, strerror(errno));
    c->sent += n > 0 ? (size_t)n : 0;
    if (c->sent < f->request_len)
        return 0;                          /* the rest when writable again */
    c->state = READING;
    c->sent_at = timeline_now();
    if (reactor_watch(r, c->fd, REACTOR_READ, on_conn_ready, c) < 0)
        return fail(c, strerror(errno));
    return 0;
}

static int read_response(struct conn *c)
{
    char buf[16 * 1024], err[HTTP_ERR_LEN];
    ssize_t n = read(c->fd, buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    if (n < 0)
        return fail(c, strerror(errno));
    enum http_progress p = n == 0 ? http_response_eof(&c->res, err, sizeof err)
                                  : http_response_feed(&c->res, buf, (size_t)n, err, sizeof err);
    if (p == HTTP_MORE)
        return 0;
    conn_end(c, p == HTTP_DONE ? NULL : err);
    return -1;
}

/* One readiness of one connection: its connect ended, it may send, or read. */
static void on_conn_ready(struct reactor *r, int fd, int events, void *arg)
{
    struct conn *c = arg;
    (void)fd;
    (void)events;
    if (c->state == CONNECTING && finish_connect(c) < 0)
        return;
    if (c->state == SENDING)
        send_request(r, c);
    else
        read_response(c);
}

static void conn_start(struct flood *f, struct conn *c)
{
    *c = (struct conn){ .flood = f, .fd = -1 };
    http_response_init(&c->res);
    conn_connect(c, f->addrs);
}

/* Starts c's connect to address ai, or to the next when it fails at once. */
static void conn_connect(struct conn *c, const struct addrinfo *ai)
{
    char err[NET_ERR_LEN];
    c->addr = ai;
    c->fd = net_connect_start_addr(ai, err, sizeof err);
    if (c->fd < 0) {                      /* refused on the spot, EMFILE (out of fds) */
        if (ai->ai_next != NULL)
            conn_connect(c, ai->ai_next);
        else
            conn_end(c, err);
        return;
    }
    c->flood->n_open++;
    if (reactor_watch(c->flood->reactor, c->fd, REACTOR_WRITE, on_conn_ready, c) == 0)
        return;                           /* on its way */
    int why = errno;
    if (why == ERANGE && c->flood->first_refused_fd < 0)
        c->flood->first_refused_fd = c->fd;   /* select: fd >= FD_SETSIZE */
    if (why == ERANGE)
        snprintf(err, sizeof err, "fd over FD_SETSIZE (%d): select cannot watch it",
                 FD_SETSIZE);
    conn_end(c, why == ERANGE ? err : strerror(why));
}

/* --timeout: whatever is still open has failed. */
static void on_deadline(struct reactor *r, void *arg)
{
    struct flood *f = arg;
    for (int i = 0; i < f->n; i++)
        if (f->conns[i].state != DONE)
            conn_end(&f->conns[i], "timed out");
    reactor_stop(r);
}

/* ---- the command line and the report -------------------------------- */

struct options {
    const char *backend;         /* NULL: $WAITLESS_BACKEND, else select */
    long connections;
    double timeout;
    const char *url;
};

static int usage(FILE *out, int status)
{
    fprintf(out,
        "usage: flood [--backend select|poll|epoll] [--connections N] [--timeout S] URL\n"
        "Open N connections to URL at once on one reactor; report how many completed,\n"
        "wall and CPU time, the slowest fetch and the memory per connection.\n"
        "  --backend NAME    how the reactor waits (default: $WAITLESS_BACKEND, else select)\n"
        "  --connections N   how many at once, 1 to 1000000 (default 100)\n"
        "  --timeout S       give up on what is still open after S seconds (default 30)\n");
    return status;
}

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("flood: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'flood --help'.\n", stderr);
    return 2;
}

/* -1 to go on, else the exit code (0 after --help, 2 after a usage error). */
static int parse_options(int argc, char **argv, struct options *o)
{
    static const struct option longs[] = {
        { "backend", required_argument, NULL, 'b' },
        { "connections", required_argument, NULL, 'c' },
        { "timeout", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    char *end;
    int c;

    opterr = 0;   /* the messages are ours */
    while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        switch (c) {
        case 'h':
            return usage(stdout, 0);
        case 'b':
            o->backend = optarg;
            break;
        case 'c':
            o->connections = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || o->connections < 1 || o->connections > 1000000)
                return usage_error("--connections must be a number from 1 to 1000000, not '%s'",
                                   optarg);
            break;
        case 't':
            o->timeout = strtod(optarg, &end);
            if (*optarg == '\0' || *end != '\0' || !(o->timeout > 0 && o->timeout <= 3600))
                return usage_error("--timeout must be seconds in (0, 3600], not '%s'", optarg);
            break;
        case ':':
            return usage_error("option '%s' needs a value", argv[optind - 1]);
        default:   /* '?': -x (in optopt) or --name (the argument read last) */
            return optopt ? usage_error("unknown option '-%c'", optopt)
                          : usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind + 1 < argc)
        return usage_error("one URL only, not also '%s'", argv[optind + 1]);
    o->url = argv[optind];   /* NULL when there is none */
    return o->url ? -1 : usage_error("a URL is needed");
}

static double cpu_seconds(const struct timeval *tv)
{
    return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

static void report(const struct flood *f, double wall, long rss_growth_kib)
{
    const char *b = reactor_backend_name(f->reactor);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double user = cpu_seconds(&ru.ru_utime), sys = cpu_seconds(&ru.ru_stime);
    printf("flood(%s): %d completed, %d failed in %.2f s wall, %.2f s CPU (%.2f user + %.2f sys)\n",
           b, f->completed, f->failed, wall, user + sys, user, sys);
    printf("flood(%s): slowest answer %.2f s (request sent to response read); memory +%ld KiB (%ld bytes per connection)\n",
           b, f->slowest, rss_growth_kib, rss_growth_kib * 1024 / f->n);
    for (int k = 0; k < MAX_KINDS && f->kind_count[k] > 0; k++)
        printf("flood(%s): %d x %s\n", b, f->kind_count[k], f->kinds[k]);
    if (f->first_refused_fd >= 0)
        printf("flood(%s): the first fd refused was %d\n", b, f->first_refused_fd);
}

static long peak_rss_kib(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;
}

/* Enough fds for n connections? Raise the soft limit to the hard one. */
static void check_fd_limit(long n)
{
    long limit = net_raise_fd_limit();
    if (limit < 0)
        fprintf(stderr, "flood: raising the open-file limit: %s\n", strerror(errno));
    else if (limit < n + 10)
        fprintf(stderr, "flood: the open-file limit is %ld even raised to the hard"
                " limit (ulimit -Hn): expect about %ld connections to fail with EMFILE\n",
                limit, n + 10 - limit);
}

/* Starts 64 connections, then lets the loop run once before the next 64
 * (reactor_call_soon), as chapter 07 does: the first requests leave while
 * later connects are still to be made, so the server's 1 s clocks start
 * sooner. */
static void start_batch(struct reactor *r, void *arg)
{
    struct flood *f = arg;
    for (int batch = 0; batch < 64 && f->started < f->n; batch++)
        conn_start(f, &f->conns[f->started++]);
    if (f->started < f->n && reactor_call_soon(r, &f->more, start_batch, f) < 0) {
        fprintf(stderr, "flood: reactor_call_soon: %s\n", strerror(errno));
        while (f->started < f->n)
            conn_start(f, &f->conns[f->started++]);   /* the rest at once, then */
    }
}

static int run_flood(struct flood *f, double timeout)
{
    long rss_before = peak_rss_kib();
    double t0 = timeline_now();
    start_batch(f->reactor, f);
    if (f->completed + f->failed < f->n) {
        if (reactor_call_later(f->reactor, &f->deadline, timeout, on_deadline, f) < 0
            || reactor_run(f->reactor) < 0) {
            fprintf(stderr, "flood: reactor: %s\n", strerror(errno));
            return 1;
        }
    }
    report(f, timeline_now() - t0, peak_rss_kib() - rss_before);
    return f->failed > 0;
}

int main(int argc, char **argv)
{
    struct options o = { NULL, 100, 30, NULL };
    struct flood f = { .first_refused_fd = -1 };
    char err[URL_ERR_LEN];
    int rc = parse_options(argc, argv, &o);
    if (rc >= 0)
        return rc;
    if (url_parse(o.url, &f.url, err, sizeof err) < 0)
        return usage_error("%s", err);
    int len = http_format_get(f.request, sizeof f.request, &f.url);
    f.request_len = len > 0 ? (size_t)len : 0;
    f.reactor = o.backend ? reactor_new_backend(o.backend) : reactor_new();
    if (f.reactor == NULL && o.backend && errno == EINVAL)
        return usage_error("--backend must be " REACTOR_BACKENDS ", not '%s'", o.backend);
    if (f.reactor == NULL) {
        fprintf(stderr, "flood: reactor_new: %s\n", strerror(errno));
        return 1;
    }
    f.n = (int)o.connections;
    f.conns = calloc((size_t)f.n, sizeof *f.conns);
    char why[NET_ERR_LEN];
    if (f.conns == NULL)
        snprintf(why, sizeof why, "%d connections: %s", f.n, strerror(errno));
    if (f.conns == NULL || net_resolve(f.url.host, f.url.port, &f.addrs, why, sizeof why) < 0) {
        fprintf(stderr, "flood: %s\n", why);
        free(f.conns);
        reactor_free(f.reactor);
        return 1;
    }
    check_fd_limit(o.connections);
    printf("flood(%s): %d connections at once to %s\n",
           reactor_backend_name(f.reactor), f.n, o.url);
    fflush(stdout);
    rc = run_flood(&f, o.timeout);
    for (int i = 0; i < f.n; i++)
        if (f.conns[i].state != DONE)
            conn_end(&f.conns[i], "stopped");
    free(f.conns);
    freeaddrinfo(f.addrs);
    reactor_free(f.reactor);
    return rc;
}
