/* Exercise 2-idle-timeout (chapter 07): add --idle-ms N, a timeout pushed back by every byte.
 * Starts as a copy of the chapter's fetch.c; see the .md beside it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
/* kit: fetch.c#struct fetcher */
struct fetcher {
    struct reactor *reactor;
    struct conn *conns;
    int n, next;            /* conns[next..n) have not been started */
    int finished;           /* how many of conns[0..next) have ended */
    int told_full;          /* ERANGE was reported (once is enough) */
    struct timer more;      /* calls start_more soon: the next batch */
    double timeout;
};
/* end kit */

/* kit: fetch.c#struct conn */
struct conn {
    struct fetcher *fetcher;
    struct fetch_result *result;      /* its URL is parsed in conn_start, not kept */
    struct dial *dial;                /* while connecting (common/dial) */
    int fd;
    struct timer timeout;             /* fires if the fetch takes too long */
    char *request;                    /* malloc'd, as long as this GET: */
    size_t request_len, sent;         /* 1000 conns, 1000 small requests */
    struct http_response response;
};
/* end kit */

static void start_more(struct reactor *r, void *arg);
static void on_writable(struct reactor *r, int fd, int events, void *arg);
static void on_readable(struct reactor *r, int fd, int events, void *arg);

/* Ends c, well or not: no more callbacks for it, then the next URL. */
/* kit: fetch.c#conn_finish() */
static void conn_finish(struct conn *c)
{
    struct fetcher *f = c->fetcher;
    dial_cancel(&c->dial);                /* still connecting? its attempts go */
    trace_fd(c->fd, "close");
    reactor_unwatch(f->reactor, c->fd);   /* unwatch before close */
    net_close(c->fd);
    reactor_cancel(f->reactor, &c->timeout);   /* idle if it fired */
    free(c->request);
    report_done(c->result, &c->response);   /* the result owns the body now */
    f->finished++;
    if (reactor_call_soon(f->reactor, &f->more, start_more, f) < 0)   /* a slot is free */
        perror("reactor: reactor_call_soon");
}
/* end kit */

/* kit: fetch.c#conn_fail() */
static void conn_fail(struct conn *c, const char *call)
{
    report_fail(c->result, "%s: %s", call, strerror(errno));
    conn_finish(c);
}
/* end kit */

/* dial calls this once: connected (the first address to answer won) or failed. */
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
 * reactor is full (ERANGE) while others run: the URL waits for one to end. */
/* kit: fetch.c#conn_start() */
static int conn_start(struct conn *c)
{
    struct fetcher *f = c->fetcher;
    struct url url;                       /* 2 KiB: on the stack, not in 10,000 conns */
    char err[NET_ERR_LEN > URL_ERR_LEN ? NET_ERR_LEN : URL_ERR_LEN];
    c->result->start = timeline_now();
    http_response_init(&c->response);
    if (url_parse(c->result->url, &url, err, sizeof err) < 0) {
        report_fail(c->result, "%s", err);
    } else if ((c->dial = dial_start(f->reactor, url.host, url.port, on_connected, c,
                                     err, sizeof err)) == NULL) {
        if (errno == ERANGE && f->finished < f->next) {   /* full: wait, nothing to undo */
            if (!f->told_full)
                fprintf(stderr, "reactor: %s: the reactor is full (ERANGE): "
                        "the next URLs wait until fetches end\n", err);
            f->told_full = 1;
            return -1;
        }
        report_fail(c->result, "%s", err);   /* refused at once, or full with none to wait for */
    } else if ((c->request = http_format_get_new(&url, &c->request_len)) == NULL) {
        report_fail(c->result, "%s", errno == ENAMETOOLONG ? "request too long" : strerror(errno));
    } else if (reactor_call_later(f->reactor, &c->timeout, f->timeout, on_timeout, c) < 0) {
        report_fail(c->result, "reactor_call_later: %s", strerror(errno));
    } else {
        return 0;                         /* the callbacks take it from here */
    }
    conn_finish(c);                       /* the dial too, if it started */
    return 0;
}
/* end kit */

/* Starts the next URLs, START_BATCH at a time: after each batch the loop
 * runs once (reactor_call_soon), so the first requests leave before the
 * last connects. A full reactor stops it until conn_finish calls it soon. */
#define START_BATCH 64
/* kit: fetch.c#start_more() */
static void start_more(struct reactor *r, void *arg)
{
    struct fetcher *f = arg;
    for (int batch = 0; batch < START_BATCH; batch++) {
        if (f->next == f->n || conn_start(&f->conns[f->next]) < 0)
            return;                           /* all started, or full */
        f->next++;
    }
    if (f->next < f->n && reactor_call_soon(r, &f->more, start_more, f) < 0)
        perror("reactor: reactor_call_soon");
}
/* end kit */

/* When the loop itself fails (reactor_run: -1), every URL not finished
 * fails with `why`; those in flight let go of their fd, timer and buffers. */
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

/* kit: fetch.c#run() */
static void run(struct fetcher *f)
{
    start_more(f->reactor, f);
    if (reactor_run(f->reactor) < 0) {    /* returns when nothing is left to wait for */
        char why[FETCH_ERR_LEN];
        snprintf(why, sizeof why, "reactor_run: %s", strerror(errno));
        fail_unfinished(f, why);          /* EBADF, EINVAL: a bug, not the network */
    }
}
/* end kit */

/* kit: fetch.c#main() */
int main(int argc, char **argv)
{
    struct fetch_job job;
    struct fetchcli_option options[] = { FETCHCLI_BACKEND, FETCHCLI_TRACE };
    int rc = fetchcli_parse(&job, argc, argv, "reactor",
                            "Fetch every URL at once, as callbacks on the reactor (chapter 07).",
                            options, 2);
    if (rc != FETCHCLI_RUN)
        return rc;
    struct fetcher f = { .n = job.n, .timeout = job.timeout };
    f.reactor = reactor_new_backend(job.backend);
    f.conns = calloc((size_t)job.n, sizeof *f.conns);
    if (f.reactor == NULL || f.conns == NULL) {
        perror("reactor: starting");      /* nothing can run without them */
        exit(1);
    }
    for (int i = 0; i < job.n; i++)
        f.conns[i] = (struct conn){ .fetcher = &f, .result = &job.results[i], .fd = -1 };
    run(&f);
    reactor_free(f.reactor);
    free(f.conns);
    return fetchcli_finish(&job);
}
/* end kit */
