/* async: the aggregator on one thread and the reactor. Nothing here ever
 * waits: accepting, reading requests, the four backend calls of every
 * request (all at once, with client.c) and writing answers are callbacks.
 * So one thread serves any number of clients, and a request costs its
 * slowest call (0.5 s), not the sum (1.25 s).
 * Left out: a graceful stop (on SIGTERM, requests in flight are dropped:
 * an exercise), keep-alive.
 */
#define _GNU_SOURCE   /* accept4 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "aggregator.h"
#include "client.h"
#include "http.h"
#include "net.h"
#include "reactor.h"
#include "timeline.h"

#define REQUEST_TIMEOUT 5.0
#define CALL_TIMEOUT 10.0
#define LINGER_TIMEOUT 2.0

enum conn_state { READING, CALLING, WRITING, DRAINING };

struct conn {
    struct server *server;
    struct conn *prev, *next;           /* the server's list, to free at exit */
    int fd;
    enum conn_state state;
    int refused;                        /* answered before all was read: linger */
    struct timer timer;                 /* the request head's deadline, then the drain's */
    char request[HTTP_REQUEST_HEAD_MAX];
    size_t request_len;
    struct agg_calls calls;
    struct client_call *pending[AGG_CALLS];   /* NULL once that call is done */
    int n_pending;
    double start;
    char answer[AGG_ANSWER_MAX];
    size_t answer_len, sent;
};

struct server {
    struct agg_server agg;
    struct reactor *rx;
    struct conn *conns;
    struct timer accept_retry;          /* out of fds: accept again later */
};

static void on_conn_io(struct reactor *rx, int fd, int events, void *arg);

/* ---- connections --------------------------------------------------- */

static void conn_free(struct conn *c)
{
    for (int i = 0; i < AGG_CALLS; i++)
        if (c->pending[i] != NULL)
            client_cancel(c->pending[i]);       /* the client left, or we stop */
    agg_calls_free(&c->calls);
    reactor_cancel(c->server->rx, &c->timer);
    reactor_unwatch(c->server->rx, c->fd);
    net_close(c->fd);
    if (c->prev)
        c->prev->next = c->next;
    else
        c->server->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    free(c);
}

static void on_timeout(struct reactor *rx, void *arg)
{
    struct conn *c = arg;
    (void)rx;
    conn_free(c);
}

static void conn_new(struct server *s, int fd)
{
    struct conn *c = calloc(1, sizeof *c);
    if (c == NULL) {
        fprintf(stderr, "async: fd %d: out of memory\n", fd);
        net_close(fd);
        return;
    }
    c->server = s;
    c->fd = fd;
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    if (reactor_call_later(s->rx, &c->timer, REQUEST_TIMEOUT, on_timeout, c) < 0
        || reactor_watch(s->rx, fd, REACTOR_READ, on_conn_io, c) < 0) {
        fprintf(stderr, "async: fd %d: %s\n", fd,
                errno == ERANGE ? "over FD_SETSIZE for select" : strerror(errno));
        conn_free(c);
    }
}

/* ---- answering ----------------------------------------------------- */

static void start_answer(struct conn *c)
{
    c->state = WRITING;
    if (reactor_watch(c->server->rx, c->fd, REACTOR_WRITE, on_conn_io, c) < 0)
        conn_free(c);
}

/* A refusal is answered before the client has sent everything (the rest
 * of a head over 8 KiB, a body), and close() with bytes unread sends a RST,
 * which can destroy the answer on its way. So shut our side and read until
 * the client closes, LINGER_TIMEOUT at most: a "lingering close". */
static void linger(struct conn *c)
{
    c->state = DRAINING;
    if (reactor_call_later(c->server->rx, &c->timer, LINGER_TIMEOUT, on_timeout, c) < 0
        || shutdown(c->fd, SHUT_WR) < 0
        || reactor_watch(c->server->rx, c->fd, REACTOR_READ, on_conn_io, c) < 0)
        conn_free(c);
}

static void send_some(struct conn *c)
{
    size_t n;
    enum net_nb sent = net_send_nb(c->fd, c->answer + c->sent, c->answer_len - c->sent, &n);
    if (sent == NET_ERROR) {
        conn_free(c);                           /* the client is gone */
        return;
    }
    c->sent += n;                               /* 0 when NET_AGAIN: wait again */
    if (c->sent < c->answer_len)
        return;                                 /* the rest when there is room */
    if (c->refused)
        linger(c);
    else
        conn_free(c);                           /* a served GET was read to its end */
}

/* One backend call has ended; the last one to end writes the answer. */
static void on_call_done(struct fetch_result *r, void *arg)
{
    struct conn *c = arg;
    c->pending[r - c->calls.results] = NULL;
    if (--c->n_pending > 0)
        return;
    c->answer_len = agg_answer(c->answer, sizeof c->answer, &c->calls,
                               timeline_now() - c->start, "at once");
    start_answer(c);
}

/* Starts all four calls; none of them waits for another. */
static void start_calls(struct conn *c)
{
    c->state = CALLING;
    c->start = timeline_now();
    reactor_unwatch(c->server->rx, c->fd);      /* nothing to read meanwhile */
    agg_calls_init(&c->server->agg, &c->calls);
    for (int i = 0; i < AGG_CALLS; i++) {
        struct fetch_result *r = &c->calls.results[i];
        c->pending[i] = client_get(c->server->rx, r, CALL_TIMEOUT, on_call_done, c);
        if (c->pending[i] == NULL)
            report_fail(r, "client_get: %s", strerror(errno));
        else
            c->n_pending++;
    }
    if (c->n_pending == 0)                      /* out of memory for all four */
        on_call_done(&c->calls.results[0], c);
}

/* ---- reading the request ------------------------------------------- */

static void read_some(struct conn *c)
{
    size_t n;
    enum net_nb got = net_read_nb(c->fd, c->request + c->request_len,
                                  sizeof c->request - c->request_len, &n);
    if (got == NET_AGAIN)
        return;
    if (got != NET_DATA) {                      /* closed or failed: forget it */
        conn_free(c);
        return;
    }
    c->request_len += n;
    size_t head_len = http_request_head_end(c->request, c->request_len);
    if (head_len == 0 && c->request_len < sizeof c->request)
        return;                                 /* not all there yet */
    reactor_cancel(c->server->rx, &c->timer);
    if (head_len == 0)
        c->answer_len = agg_format(c->answer, sizeof c->answer, 431,
                                   "Request Header Fields Too Large", "request head over 8 KiB\n");
    else if (agg_route(c->request, head_len, c->answer, sizeof c->answer) == 1) {
        start_calls(c);
        return;
    } else
        c->answer_len = strlen(c->answer);      /* 400, 404, 405 */
    c->refused = 1;
    start_answer(c);
}

/* After the answer: what the client still sends is thrown away. */
static void drain_some(struct conn *c)
{
    char unread[4096];
    size_t n;
    enum net_nb got = net_read_nb(c->fd, unread, sizeof unread, &n);
    if (got == NET_END || got == NET_ERROR)
        conn_free(c);                           /* the client closed: so may we */
}

static void on_conn_io(struct reactor *rx, int fd, int events, void *arg)
{
    struct conn *c = arg;
    (void)rx;
    (void)fd;
    (void)events;
    if (c->state == READING)
        read_some(c);
    else if (c->state == WRITING)
        send_some(c);
    else if (c->state == DRAINING)
        drain_some(c);
}

/* ---- accepting and stopping ---------------------------------------- */

static void on_listen_ready(struct reactor *rx, int fd, int events, void *arg);

static void on_accept_retry(struct reactor *rx, void *arg)
{
    struct server *s = arg;
    if (reactor_watch(rx, s->agg.listen_fd, REACTOR_READ, on_listen_ready, s) < 0) {
        fprintf(stderr, "async: watching fd %d: %s\n", s->agg.listen_fd, strerror(errno));
        reactor_stop(rx);
    }
}

static void on_listen_ready(struct reactor *rx, int fd, int events, void *arg)
{
    struct server *s = arg;
    (void)events;
    for (;;) {   /* every client that is waiting, not just one */
        int client = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (client >= 0)
            conn_new(s, client);
        else if (errno == EAGAIN || errno == EWOULDBLOCK)
            return;
        else if (errno != EINTR && errno != ECONNABORTED) {
            /* Out of fds (EMFILE): the listening socket stays readable,
             * and watching it now would spin. Look away for 100 ms. */
            fprintf(stderr, "async: accept: %s (pausing accepts for 0.1 s)\n",
                    strerror(errno));
            reactor_unwatch(rx, fd);
            if (reactor_call_later(rx, &s->accept_retry, 0.1, on_accept_retry, s) < 0)
                reactor_stop(rx);
            return;
        }
    }
}

static void on_stop(struct reactor *rx, int fd, int events, void *arg)
{
    (void)fd;
    (void)events;
    (void)arg;
    reactor_stop(rx);
}

int main(int argc, char **argv)
{
    struct agg_options o;
    struct server s = { 0 };
    int rc = agg_parse_options(argc, argv, "One thread on the reactor; every call at once.",
                               0, &o);
    if (rc != AGG_RUN)
        return rc;
    if ((s.rx = reactor_new()) == NULL) {
        fprintf(stderr, "async: reactor_new: %s\n", strerror(errno));
        return 1;
    }
    rc = agg_server_start(&s.agg, "async", &o) < 0;
    if (rc == 0
        && (reactor_watch(s.rx, s.agg.listen_fd, REACTOR_READ, on_listen_ready, &s) < 0
            || reactor_watch(s.rx, s.agg.stop_fd, REACTOR_READ, on_stop, &s) < 0
            || reactor_run(s.rx) < 0)) {
        fprintf(stderr, "async: reactor: %s\n", strerror(errno));
        rc = 1;
    }
    while (s.conns)
        conn_free(s.conns);
    reactor_free(s.rx);
    agg_server_close(&s.agg);
    return rc;
}
