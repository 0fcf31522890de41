/* Chapter 15: chapter 07's fetcher with its connections kept. Each URL asks
 * common/pool for a connection to its host (--connections N at most; idle
 * ones reused; the rest wait their turn), sends an HTTP/1.1 GET on it, and
 * gives it back once the answer has ended (the parser knows where) and the
 * server keeps it. --pipeline K puts up to K requests on one connection
 * before the first answer: answered in order, a slow one holds back those
 * behind it (head-of-line blocking). A reused connection that the server
 * had closed (EOF or reset before a byte of the answer) is retried once on
 * another: a GET may be sent twice (idempotent, RFC 9110 9.2.2).
 * Left out: retrying anything else, HTTP/2, a limit across hosts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetchcli.h"
#include "http.h"
#include "net.h"
#include "pool.h"
#include "reactor.h"
#include "timeline.h"
#include "trace.h"
#include "url.h"

struct fetcher {
    struct reactor *reactor;
    struct pool *pool;
    double timeout;
    int n, ended;                     /* all ended: stop, idle connections or not */
};

struct fetch {
    struct fetcher *fetcher;
    struct fetch_result *result;
    char host[URL_HOST_MAX + 1];
    int port;
    char *request;                    /* the GET, malloc'd */
    size_t request_len, sent;
    size_t got;                       /* bytes of its answer so far */
    struct http_response response;
    struct pool_wait wait;            /* while asking for a connection */
    struct pool_conn *conn;           /* the one it is on, or NULL */
    struct fetch *next;               /* behind it on that connection */
    struct timer timeout;             /* from when it has a connection */
    int retried;
    int on_wire;                      /* has had a connection: start is then */
};

/* What a connection carries (its pool_conn's user): the fetches in the
 * order their requests go out; the first is the one being answered. */
struct line {
    struct fetcher *fetcher;
    struct fetch *first, *last;
    struct fetch *sending;            /* the first not all sent, or NULL */
    long answers;                     /* answers read on it: above 0, reused */
    int broken;
};

static void ask(struct fetch *f);
static void on_conn_io(struct reactor *r, int fd, int events, void *arg);

/* The fetch is over: its result printed later, its timer and request gone. */
static void fetch_end(struct fetch *f)
{
    reactor_cancel(f->fetcher->reactor, &f->timeout);
    free(f->request);
    f->request = NULL;
    f->conn = NULL;
    report_done(f->result, &f->response);
    if (++f->fetcher->ended == f->fetcher->n)
        reactor_stop(f->fetcher->reactor);
}

static void on_close(struct pool_conn *c)
{
    free(c->user);
}

/* f leaves its connection, the first in line or not. */
static void unlink_fetch(struct line *line, struct fetch *f)
{
    struct fetch *prev = NULL;
    for (struct fetch *at = line->first; at != f; prev = at, at = at->next)
        ;
    *(prev ? &prev->next : &line->first) = f->next;
    if (line->last == f)
        line->last = prev;
    if (line->sending == f)
        line->sending = f->next;
    f->next = NULL;
}

/* Asks again from scratch: the answer so far (none) is forgotten. */
static void again(struct fetch *f)
{
    f->sent = f->got = 0;
    http_response_free(&f->response);
    reactor_cancel(f->fetcher->reactor, &f->timeout);
    ask(f);
}

/* The connection is done for: `failed` (if any) fails with why, the
 * others in line ask again; each gives its share of c back. */
static void conn_broken(struct pool_conn *c, struct fetch *failed, const char *why)
{
    struct line *line = c->user;
    struct fetcher *fr = line->fetcher;
    struct fetch *f = line->first, *next;
    line->broken = 1;
    line->first = line->last = line->sending = NULL;
    reactor_unwatch(fr->reactor, c->fd);
    for (; f != NULL; f = next) {
        next = f->next;
        f->next = NULL;
        f->conn = NULL;
        pool_put(fr->pool, c, 0);     /* the last share closes it */
        if (f == failed) {
            report_fail(f->result, "%s", why);
            fetch_end(f);
        } else {
            again(f);
        }
    }
}

/* The answer failed before its first byte on a connection that had
 * answered before: the server closed it while it was idle, just as we
 * sent. The caller breaks the connection; f asks again, once. */
static int stale(struct pool_conn *c, struct fetch *f)
{
    struct line *line = c->user;
    if (f->got > 0 || line->answers == 0 || f->retried)
        return 0;
    trace_fd(c->fd, "stale: closed by the server before answering request %ld on it;"
             " retrying the GET once", line->answers + 1);
    f->retried = 1;
    return 1;
}

/* ---- on the connection: send the requests in line, read the answers -- */

/* Sends what is left of the requests in line. -1: c is gone. */
static int send_more(struct pool_conn *c)
{
    struct line *line = c->user;
    while (line->sending != NULL) {
        struct fetch *f = line->sending;
        size_t n;
        enum net_nb sent = net_send_nb(c->fd, f->request + f->sent, f->request_len - f->sent, &n);
        if (sent == NET_AGAIN)
            return 0;                 /* called again when there is room */
        if (sent == NET_ERROR) {
            char why[FETCH_ERR_LEN];
            snprintf(why, sizeof why, "send: %s", strerror(errno));
            conn_broken(c, stale(c, line->first) ? NULL : line->first, why);
            return -1;
        }
        f->sent += n;
        if (f->sent == f->request_len) {
            trace_fd(c->fd, "sent request %ld on it", line->answers + 1);
            line->sending = f->next;
        }
    }
    if (reactor_watch(line->fetcher->reactor, c->fd, REACTOR_READ, on_conn_io, c) < 0) {
        conn_broken(c, line->first, "reactor_watch: out of memory");
        return -1;
    }
    return 0;
}

/* The first in line has its answer: it ends and gives its share back,
 * kept if the server keeps the connection and no stray bytes came after.
 * 1: c is still ours, with more in line. */
static int answered(struct pool_conn *c, struct fetch *f, int more_bytes)
{
    struct line *line = c->user;
    struct fetcher *fr = line->fetcher;
    int keep = f->response.keep_alive && !(more_bytes && f->next == NULL);
    unlink_fetch(line, f);
    line->answers++;
    fetch_end(f);
    int ours = keep && line->first != NULL;
    if (!keep && line->first != NULL)
        conn_broken(c, NULL, NULL);   /* those behind it ask again */
    pool_put(fr->pool, c, keep);      /* not keep: the last share closes it */
    return ours;
}

/* Bytes came: they belong to the answers in line, in order. */
static void feed(struct pool_conn *c, const char *data, size_t len)
{
    struct line *line = c->user;
    char err[HTTP_ERR_LEN];
    while (len > 0) {
        struct fetch *f = line->first;
        size_t used;
        if (f == NULL) {              /* an answer nobody asked for */
            trace_fd(c->fd, "%zu bytes nobody asked for: closing", len);
            conn_broken(c, NULL, NULL);
            return;
        }
        enum http_progress progress = http_response_parse(&f->response, data, len, &used,
                                                          err, sizeof err);
        f->got += used;
        data += used;
        len -= used;
        if (progress == HTTP_ERROR)
            conn_broken(c, f, err);   /* bad chunk, bad head, ... */
        if (progress == HTTP_ERROR || (progress == HTTP_DONE && !answered(c, f, len > 0)))
            return;
    }
}

/* End of stream, or a reset: an answer to EOF ends well; else the first
 * fails, or (stale) asks again with the rest. */
static void conn_ended(struct pool_conn *c, const char *read_error)
{
    struct line *line = c->user;
    struct fetch *f = line->first;
    char err[HTTP_ERR_LEN];
    if (f == NULL) {
        conn_broken(c, NULL, NULL);
        return;
    }
    if (read_error == NULL && http_response_eof(&f->response, err, sizeof err) == HTTP_DONE) {
        answered(c, f, 0);            /* a body that ran to the end */
        return;
    }
    if (read_error != NULL)
        snprintf(err, sizeof err, "%s", read_error);
    conn_broken(c, stale(c, f) ? NULL : f, err);
}

static void on_conn_io(struct reactor *r, int fd, int events, void *arg)
{
    struct pool_conn *c = arg;
    char buf[16 * 1024], why[HTTP_ERR_LEN];
    size_t n;
    (void)r;
    if ((events & REACTOR_WRITE) && send_more(c) < 0)
        return;
    if (!(events & REACTOR_READ))
        return;
    enum net_nb got = net_read_nb(fd, buf, sizeof buf, &n);
    if (got == NET_DATA)
        trace_fd(fd, "read %zu bytes", n);
    if (got == NET_DATA)
        feed(c, buf, n);
    else if (got == NET_END)
        conn_ended(c, NULL);
    else if (got == NET_ERROR && snprintf(why, sizeof why, "read: %s", strerror(errno)) > 0)
        conn_ended(c, why);
}

/* ---- asking for a connection, and getting one ----------------------- */

static void on_timeout(struct reactor *r, void *arg)
{
    struct fetch *f = arg;
    char why[64];
    (void)r;
    snprintf(why, sizeof why, "timed out after %.2f s", f->fetcher->timeout);
    if (f->conn != NULL) {
        trace_fd(f->conn->fd, "timed out");
        conn_broken(f->conn, f, why); /* its answer may still come: the line is lost */
        return;
    }
    pool_cancel(f->fetcher->pool, &f->wait);   /* (armed only on a connection) */
    report_fail(f->result, "%s", why);
    fetch_end(f);
}

/* The pool lent f a connection (or says why it could not). */
static void on_lent(struct reactor *r, struct pool_conn *c, const char *err, void *arg)
{
    struct fetch *f = arg;
    struct fetcher *fr = f->fetcher;
    if (c == NULL) {
        report_fail(f->result, "%s", err);   /* refused, no such name */
        fetch_end(f);
        return;
    }
    struct line *line = c->user;
    if (line == NULL && (line = c->user = calloc(1, sizeof *line)) != NULL)
        line->fetcher = fr;
    if (line == NULL || line->broken) {      /* out of memory; or it broke since */
        pool_put(fr->pool, c, 0);
        if (line != NULL) {
            ask(f);
            return;
        }
        report_fail(f->result, "out of memory");
        fetch_end(f);
        return;
    }
    f->conn = c;
    if (!f->on_wire)                  /* its time starts when it can go */
        f->result->start = timeline_now();
    f->on_wire = 1;
    trace_fd(c->fd, "%s connection for %s", line->answers > 0 || line->first ? "reused" : "new",
             f->result->url);
    *(line->last ? &line->last->next : &line->first) = f;
    line->last = f;
    if (line->sending == NULL)
        line->sending = f;
    if (reactor_call_later(r, &f->timeout, fr->timeout, on_timeout, f) < 0
        || reactor_watch(r, c->fd, REACTOR_READ | REACTOR_WRITE, on_conn_io, c) < 0)
        conn_broken(c, f, "reactor: out of memory");
}

static void ask(struct fetch *f)
{
    if (pool_get(f->fetcher->pool, f->host, f->port, &f->wait, on_lent, f) < 0) {
        report_fail(f->result, "pool_get: %s", strerror(errno));
        fetch_end(f);
    }
}

static void fetch_start(struct fetch *f)
{
    struct url url;                   /* 2 KiB: on the stack, not in 10,000 fetches */
    char err[URL_ERR_LEN], request[URL_HOST_MAX + URL_PATH_MAX + 128];
    int len;
    f->result->start = timeline_now();
    http_response_init(&f->response);
    if (url_parse(f->result->url, &url, err, sizeof err) < 0) {
        report_fail(f->result, "%s", err);
    } else if ((len = http_format_get_persistent(request, sizeof request, &url)) < 0) {
        report_fail(f->result, "request too long");
    } else if ((f->request = strndup(request, (size_t)len)) == NULL) {
        report_fail(f->result, "out of memory");
    } else {
        snprintf(f->host, sizeof f->host, "%s", url.host);
        f->port = url.port;
        f->request_len = (size_t)len;
        ask(f);
        return;
    }
    fetch_end(f);
}

int main(int argc, char **argv)
{
    struct fetch_job job;
    int connections = 10, pipeline = 1;
    struct fetchcli_option options[] = {
        { "--connections", "N", "connections per host at most (default 10)", &connections,
          1, 10000, NULL },
        { "--pipeline", "K", "requests in flight on one connection (default 1)", &pipeline,
          1, 100, NULL },
        FETCHCLI_BACKEND, FETCHCLI_TRACE };
    int rc = fetchcli_parse(&job, argc, argv, "reuse",
                            "Fetch every URL over a pool of kept connections (chapter 15).",
                            options, 4);
    if (rc != FETCHCLI_RUN)
        return rc;
    struct fetcher fr = { .timeout = job.timeout, .n = job.n };
    fr.reactor = reactor_new_backend(job.backend);
    fr.pool = fr.reactor ? pool_new(fr.reactor, connections, pipeline, on_close) : NULL;
    struct fetch *fetches = calloc((size_t)job.n, sizeof *fetches);
    if (fr.reactor == NULL || fr.pool == NULL || fetches == NULL) {
        perror("reuse: starting");
        exit(1);
    }
    for (int i = 0; i < job.n; i++) {
        fetches[i] = (struct fetch){ .fetcher = &fr, .result = &job.results[i] };
        fetch_start(&fetches[i]);
    }
    if (reactor_run(fr.reactor) < 0)
        perror("reuse: reactor_run");
    for (int i = 0; i < job.n; i++)
        if (job.results[i].end == 0) {       /* only when the loop failed */
            report_fail(&job.results[i], "reactor_run failed");
            free(fetches[i].request);
            http_response_free(&fetches[i].response);
        }
    trace("pool: %ld connections opened", pool_connects(fr.pool));
    pool_free(fr.pool);
    reactor_free(fr.reactor);
    free(fetches);
    return fetchcli_finish(&job);
}
