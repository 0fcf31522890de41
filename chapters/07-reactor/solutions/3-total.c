/* Solution 3-total (chapter 07): --total-ms N. A timer calls reactor_stop;
 * after reactor_run returns, every fetch still in flight is failed and
 * cleaned up. When all end first, the timer is cancelled, or run would wait.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dial.h"
#include "fetch.h"
#include "fetchcli.h"
#include "http.h"
#include "net.h"
#include "reactor.h"
#include "timeline.h"
#include "trace.h"
#include "url.h"

/* What every conn shares: the reactor and the URLs still to start. */
struct fetcher {
    struct reactor *reactor;
    struct conn *conns;
    int n, next;            /* conns[next..n) have not been started */
    int in_flight;
    struct timer more;     /* calls start_more soon */
    int said_full;          /* ERANGE was reported once */
    double timeout;
    struct timer total;    /* --total-ms: stops the reactor; idle when none */
    double total_seconds;
    int stopped;            /* the total timer fired: start nothing more */
};

struct conn {
    struct fetcher *fetcher;
    struct fetch_result *result;
    struct url url;
    struct dial *dial;                /* while connecting (common/dial) */
    int fd;
    struct timer timeout;            /* fires if the fetch takes too long */
    char request[URL_HOST_MAX + URL_PATH_MAX + 128];
    size_t request_len, sent;
    struct http_response response;
};

static void start_more(struct reactor *r, void *arg);
static void on_writable(struct reactor *r, int fd, int events, void *arg);
static void on_readable(struct reactor *r, int fd, int events, void *arg);
static void on_timeout(struct reactor *r, void *arg);

/* Ends c, well or not: no more callbacks for it, then the next URL. */
static void conn_finish(struct conn *c)
{
    struct fetch_result *r = c->result;
    dial_cancel(&c->dial);                /* still connecting? its attempts go */
    trace_fd(c->fd, "close");
    reactor_unwatch(c->fetcher->reactor, c->fd);   /* unwatch before close */
    net_close(c->fd);
    c->fd = -1;                       /* -1: not in flight */
    reactor_cancel(c->fetcher->reactor, &c->timeout);
    if (r->error[0] == '\0') {
        r->status = c->response.status;
        r->body = c->response.body;   /* the result owns the body now */
        r->bytes = c->response.body_len;
        c->response.body = NULL;
    }
    http_response_free(&c->response);
    r->end = timeline_now();
    c->fetcher->in_flight--;
    if (reactor_call_soon(c->fetcher->reactor, &c->fetcher->more, start_more, c->fetcher) < 0)
        perror("reactor: reactor_call_soon");   /* a slot is free */
    struct fetcher *f = c->fetcher;
    if (f->in_flight == 0 && f->next == f->n) {
        reactor_cancel(f->reactor, &f->total);   /* or run would wait for it */
    }
}

/* kit: fetch.c#conn_fail() */
static void conn_fail(struct conn *c, const char *call)
{
    report_fail(c->result, "%s: %s", call, strerror(errno));
    conn_finish(c);
}
/* end kit */

/* kit: fetch.c#on_connected() */
static void on_connected(struct reactor *r, int fd, const char *err, void *arg)
{
    struct conn *c = arg;
    c->dial = NULL;                       /* it has called back: over */
    if (fd < 0) {
        report_fail(c->result, "%s", err);   /* refused, unreachable, no such name */
        conn_finish(c);
        return;
    }
    c->fd = fd;
    trace_fd(fd, "connected");
    if (reactor_watch(r, fd, REACTOR_WRITE, on_writable, c) < 0)
        conn_fail(c, "reactor_watch");
    else
        on_writable(r, fd, REACTOR_WRITE, c);   /* it is writable: send now */
}
/* end kit */

/* kit: fetch.c#on_writable() */
static void on_writable(struct reactor *r, int fd, int events, void *arg)
{
    struct conn *c = arg;
    size_t n;
    (void)events;
    enum net_nb sent = net_send_nb(fd, c->request + c->sent, c->request_len - c->sent, &n);
    if (sent == NET_ERROR)
        conn_fail(c, "send");
    if (sent != NET_DATA)
        return;                           /* NET_AGAIN: called again when there is room */
    c->sent += n;                         /* maybe short: called again for the rest */
    trace_fd(fd, "sent %zu bytes", n);
    if (c->sent == c->request_len && reactor_watch(r, fd, REACTOR_READ, on_readable, c) < 0)
        conn_fail(c, "reactor_watch");
}
/* end kit */

/* kit: fetch.c#on_readable() */
static void on_readable(struct reactor *r, int fd, int events, void *arg)
{
    struct conn *c = arg;
    char err[HTTP_ERR_LEN];
    (void)r, (void)events;
    enum http_progress progress = fetch_read_nb(fd, &c->response, err, sizeof err);
    if (progress == HTTP_ERROR)                  /* read, truncated, not HTTP, ... */
        report_fail(c->result, "%s", err);
    if (progress != HTTP_MORE)
        conn_finish(c);
}
/* end kit */

/* kit: fetch.c#on_timeout() */
static void on_timeout(struct reactor *r, void *arg)
{
    struct conn *c = arg;
    (void)r;
    trace_fd(c->fd, "timed out");
    report_fail(c->result, "timed out after %.2f s", c->fetcher->timeout);
    conn_finish(c);
}
/* end kit */

/* Starts one fetch: 0 started (or failed at once, and finished), -1 the
 * reactor is full (ERANGE): this URL waits until a fetch ends. */
static int conn_start(struct conn *c)
{
    struct fetcher *f = c->fetcher;
    struct fetch_result *r = c->result;
    char err[NET_ERR_LEN > URL_ERR_LEN ? NET_ERR_LEN : URL_ERR_LEN];
    int len;

    r->start = timeline_now();
    http_response_init(&c->response);
    f->in_flight++;                       /* conn_finish counts it out */
    if (url_parse(r->url, &c->url, err, sizeof err) < 0) {
        report_fail(r, "%s", err);
    } else if ((len = http_format_get(c->request, sizeof c->request, &c->url)) < 0) {
        report_fail(r, "request too long");
    } else if ((c->dial = dial_start(f->reactor, c->url.host, c->url.port, on_connected, c,
                                     err, sizeof err)) == NULL) {
        if (errno == ERANGE && f->in_flight > 1) {   /* full: undo, retry later */
            if (!f->said_full++)
                fprintf(stderr, "reactor: %s: the reactor is full (ERANGE): "
                        "the next URLs wait until fetches end\n", err);
            f->in_flight--;
            return -1;
        }
        report_fail(r, "%s", err);        /* refused at once, or the reactor is full */
    } else if (reactor_call_later(f->reactor, &c->timeout, f->timeout, on_timeout, c) < 0) {
        report_fail(r, "reactor_call_later: %s", strerror(errno));
        dial_cancel(&c->dial);
    } else {
        c->request_len = (size_t)len;
        return 0;                         /* the callbacks take it from here */
    }
    conn_finish(c);
    return 0;
}

/* Starts the next URLs until all are started or the reactor is full.
 * conn_finish asks for it again soon (reactor_call_soon), never from
 * inside this loop (a URL that fails at once finishes in conn_start). */
static void start_more(struct reactor *r, void *arg)
{
    struct fetcher *f = arg;
    (void)r;
    if (f->stopped)
        return;
    while (f->next < f->n && conn_start(&f->conns[f->next]) == 0)
        f->next++;
}

/* The --total-ms timer: end the run after this pass. */
static void on_total(struct reactor *r, void *arg)
{
    struct fetcher *f = arg;
    f->stopped = 1;
    reactor_stop(r);
}

/* When the loop itself fails (reactor_run: -1), every URL not finished
 * fails with `why`; those in flight let go of their fd, timer and buffers.
 * After a stop, the same goes for what the stop left. */
/* kit: fetch.c#fail_unfinished() */
static void fail_unfinished(struct fetcher *f, const char *why)
{
    for (struct conn *c = f->conns; c < f->conns + f->n; c++) {
        if (c->result->end == 0)
            report_fail(c->result, "%s", why);
        if (c->result->end == 0 && c < f->conns + f->next)   /* in flight */
            conn_finish(c);
    }
}
/* end kit */

int main(int argc, char **argv)
{
    struct fetch_job job;
    int total_ms = 0;
    const struct fetchcli_option options[] = {
        { "--total-ms", "N", "stop everything after N ms",
          &total_ms, 1, 3600 * 1000, NULL },
        FETCHCLI_BACKEND, FETCHCLI_TRACE,
    };
    int rc = fetchcli_parse(&job, argc, argv, "reactor",
                            "Fetch every URL at once, as callbacks on the reactor (chapter 07).",
                            options, 3);
    if (rc != FETCHCLI_RUN)
        return rc;
    struct fetcher f = { .n = job.n, .timeout = job.timeout };
    f.reactor = reactor_new_backend(job.backend);
    f.conns = calloc((size_t)job.n, sizeof *f.conns);
    if (f.reactor == NULL || f.conns == NULL) {
        perror("reactor: starting");
        reactor_free(f.reactor);
        free(f.conns);
        fetchcli_finish(&job);
        return 1;
    }
    for (int i = 0; i < job.n; i++)
        f.conns[i] = (struct conn){ .fetcher = &f, .result = &job.results[i], .fd = -1 };
    /* slide:main */
    f.total_seconds = total_ms / 1000.0;
    if (total_ms > 0 && reactor_call_later(f.reactor, &f.total, f.total_seconds,
                                                      on_total, &f) < 0)
        perror("reactor: reactor_call_later");
    start_more(f.reactor, &f);
    char why[FETCH_ERR_LEN];
    if (reactor_run(f.reactor) < 0)       /* returns when nothing is left to wait for */
        snprintf(why, sizeof why, "reactor_run: %s", strerror(errno));
    else
        snprintf(why, sizeof why, "stopped after %.2f s", f.total_seconds);
    fail_unfinished(&f, why);             /* only after a stop or a failure is anything left */
    /* end slide */
    reactor_free(f.reactor);
    free(f.conns);
    return fetchcli_finish(&job);
}
