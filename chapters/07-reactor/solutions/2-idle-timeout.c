/* Solution 2-idle-timeout (chapter 07): --idle-ms N. Each conn has a
 * second timer, cancelled and armed again after every read that brings
 * bytes; if it ever fires, nothing came for N ms and the fetch fails.
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
struct fetcher {
    struct reactor *reactor;
    struct conn *conns;
    int n, next;            /* conns[next..n) have not been started */
    int finished;           /* how many of conns[0..next) have ended */
    int told_full;          /* ERANGE was reported (once is enough) */
    struct timer more;      /* calls start_more soon: the next batch */
    double timeout;
    double idle;            /* --idle-ms, in seconds; 0: none */
};

struct conn {
    struct fetcher *fetcher;
    struct fetch_result *result;      /* its URL is parsed in conn_start, not kept */
    struct dial *dial;                /* while connecting (common/dial) */
    int fd;
    struct timer timeout;             /* fires if the fetch takes too long */
    struct timer idle;                /* fires if no byte comes for f->idle s */
    char *request;                    /* malloc'd, as long as this GET: */
    size_t request_len, sent;         /* 1000 conns, 1000 small requests */
    struct http_response response;
};

static void start_more(struct reactor *r, void *arg);
static void on_writable(struct reactor *r, int fd, int events, void *arg);
static void on_readable(struct reactor *r, int fd, int events, void *arg);

/* Ends c, well or not: no more callbacks for it, then the next URL. */
static void conn_finish(struct conn *c)
{
    struct fetcher *f = c->fetcher;
    dial_cancel(&c->dial);                /* still connecting? its attempts go */
    trace_fd(c->fd, "close");
    reactor_unwatch(f->reactor, c->fd);   /* unwatch before close */
    net_close(c->fd);
    reactor_cancel(f->reactor, &c->timeout);   /* idle if it fired */
    reactor_cancel(f->reactor, &c->idle);      /* or it fires on a finished fetch */
    free(c->request);
    report_done(c->result, &c->response);   /* the result owns the body now */
    f->finished++;
    if (reactor_call_soon(f->reactor, &f->more, start_more, f) < 0)   /* a slot is free */
        perror("reactor: reactor_call_soon");
}

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

/* The idle timer: nothing came for f->idle s, waiting for the first byte
 * or in the middle of the body. */
static void on_idle(struct reactor *r, void *arg)
{
    struct conn *c = arg;
    (void)r;
    trace_fd(c->fd, "no data");
    report_fail(c->result, "no data for %.2f s", c->fetcher->idle);
    conn_finish(c);
}

/* (Re)arms c's idle timer: when the fetch starts and after every read
 * that brings bytes. Arming a pending timer moves it: one call. */
static int arm_idle(struct conn *c)
{
    struct fetcher *f = c->fetcher;
    if (f->idle == 0)
        return 0;                         /* no --idle-ms */
    return reactor_call_later(f->reactor, &c->idle, f->idle, on_idle, c);
}

/* fetch_read_nb's one read, spelled out: only here is it known whether
 * bytes came, which push the idle timer back. */
static void on_readable(struct reactor *r, int fd, int events, void *arg)
{
    struct conn *c = arg;
    char buf[16 * 1024], err[HTTP_ERR_LEN];
    size_t n;
    enum http_progress progress;
    (void)r, (void)events;
    enum net_nb got = net_read_nb(fd, buf, sizeof buf, &n);
    if (got == NET_AGAIN)
        return;                           /* woken too early: wait again */
    if (got == NET_ERROR) {
        conn_fail(c, "read");
        return;
    }
    trace_fd(fd, "read %zu bytes%s", n, got == NET_END ? " (end of stream)" : "");
    if (got == NET_DATA && arm_idle(c) < 0) {   /* bytes came: push the deadline back */
        conn_fail(c, "reactor_call_later");
        return;
    }
    if (got == NET_END)
        progress = http_response_eof(&c->response, err, sizeof err);
    else
        progress = http_response_feed(&c->response, buf, n, err, sizeof err);
    if (progress == HTTP_ERROR)                  /* truncated, not HTTP, ... */
        report_fail(c->result, "%s", err);
    if (progress != HTTP_MORE)
        conn_finish(c);
}

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
    } else if (reactor_call_later(f->reactor, &c->timeout, f->timeout, on_timeout, c) < 0
               || arm_idle(c) < 0) {     /* the idle timer starts with the fetch */
        report_fail(c->result, "reactor_call_later: %s", strerror(errno));
    } else {
        return 0;                         /* the callbacks take it from here */
    }
    conn_finish(c);                       /* the dial too, if it started */
    return 0;
}

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

int main(int argc, char **argv)
{
    struct fetch_job job;
    int idle_ms = 0;
    struct fetchcli_option options[] = {
        { "--idle-ms", "N", "fail a fetch when no byte comes for N ms",
          &idle_ms, 1, 3600 * 1000, NULL },
        FETCHCLI_BACKEND, FETCHCLI_TRACE,
    };
    int rc = fetchcli_parse(&job, argc, argv, "reactor",
                            "Fetch every URL at once, as callbacks on the reactor (chapter 07).",
                            options, 3);
    if (rc != FETCHCLI_RUN)
        return rc;
    struct fetcher f = { .n = job.n, .timeout = job.timeout, .idle = idle_ms / 1000.0 };
    f.reactor = reactor_new_backend(job.backend);
    f.conns = calloc((size_t)job.n, sizeof *f.conns);
    if (f.reactor == NULL || f.conns == NULL) {
        perror("reactor: starting");      /* nothing can run without them */
        exit(1);
    }
    for (int i = 0; i < job.n; i++)
        f.conns[i] = (struct conn){ .fetcher = &f, .result = &job.results[i], .fd = -1 };
    start_more(f.reactor, &f);
    if (reactor_run(f.reactor) < 0) {     /* returns when nothing is left to wait for */
        char why[FETCH_ERR_LEN];
        snprintf(why, sizeof why, "reactor_run: %s", strerror(errno));
        fail_unfinished(&f, why);         /* EBADF, EINVAL: a bug, not the network */
    }
    reactor_free(f.reactor);
    free(f.conns);
    return fetchcli_finish(&job);
}
