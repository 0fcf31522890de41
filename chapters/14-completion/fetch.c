/* Chapter 14: completion instead of readiness. The reactor (chapter 07)
 * asks "tell me when I may read" and then reads; this proactor asks the
 * kernel "do this read, tell me when it is done" through io_uring: each
 * step of a fetch (socket, connect, send, recv, close) is a request put
 * in the submission ring, and its result comes back in the completion
 * ring. One io_uring_enter submits every queued request and waits.
 * Each fetch's --timeout is one more request, a TIMEOUT, removed when the
 * fetch ends first; when it fires, the step in flight is cancelled.
 * A recv names no buffer: the kernel takes one from the ring's pool when
 * the data comes, and we give it back once the bytes are parsed.
 * A name's addresses are tried in turn, each connect linked to a 0.25 s
 * timeout while another address is left (RFC 8305's delay; chapter 07's
 * dial races them instead).
 * A name is looked up off the loop (common/resolve: getaddrinfo on helper
 * threads); its answers come back through a pipe, which a POLL_ADD
 * request watches. Left out: a cache of answers (each URL with a name is
 * looked up, as in chapter 07), registered files, SQPOLL. The ring
 * plumbing is in uring.c.
 * Needs Linux 5.19 (IORING_OP_SOCKET, provided-buffer rings).
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fetchcli.h"
#include "http.h"
#include "net.h"
#include "resolve.h"
#include "timeline.h"
#include "url.h"
#include "uring.h"

/* slide:ops */
/* What a request was, kept in its user_data next to the conn's index:
 * user_data = index << OP_BITS | op. A completion carries only that, a
 * result (bytes, a new fd, or -errno) and flags. */
enum op { OP_SOCKET = 1, OP_CONNECT, OP_SEND, OP_RECV, OP_CLOSE,
          OP_TIMEOUT, OP_TIMEOUT_REMOVE, OP_CANCEL, OP_LINK_TIMEOUT, OP_ANSWERS };
#define OP_BITS 4
/* end slide */
static const char *const op_name[] = { "?", "socket", "connect", "send", "recv", "close",
                                       "timeout", "timeout remove", "cancel", "link timeout",
                                       "answers" };

#define RING_ENTRIES 4096       /* submission slots; a full ring is submitted */
#define MAX_CONNECTING 64       /* connects under way at once (see the README) */
#define MAX_ADDRS 4             /* addresses of a name tried, one after another, */
/* each for ATTEMPT_SECONDS when another is left (RFC 8305's 250 ms): a
 * black-holed first address costs that, not --timeout. */
static const struct __kernel_timespec attempt_time = { .tv_sec = 0, .tv_nsec = 250000000 };
#define POOL_BUFFERS 256        /* recv buffers shared by every fetch ... */
#define POOL_BUFFER_SIZE (16 * 1024)   /* ... each as large as chapter 07's reads */

/* An IPv4 or IPv6 address, in the space the larger needs. */
union addr {
    struct sockaddr sa;
    struct sockaddr_in in;
    struct sockaddr_in6 in6;
};

/* slide:conn */
struct conn {
    struct fetcher *fetcher;
    struct fetch_result *result;   /* its URL is parsed in conn_start, not kept */
    struct resolve *lookup;        /* while its name is looked up */
    union addr addrs[MAX_ADDRS];   /* the kernel reads addrs[tried] for CONNECT */
    int n_addrs, tried, failed[MAX_ADDRS];   /* failed: each refusal's errno */
    int fd;
    enum op io;                    /* the step in flight, 0 when none */
    int pending;                   /* requests whose completion has not come */
    int timer_on, done, released, connecting;
    struct __kernel_timespec ts;   /* the TIMEOUT's length */
    char *request;                 /* the kernel reads it until SEND completes */
    size_t request_len, sent;
    struct http_response response;
};
/* end slide */

struct fetcher {
    struct uring ring;
    struct conn *conns;
    int n, next;                   /* conns[next..n) have not been started */
    int in_flight, max_in_flight;  /* started and not released */
    int connecting;                /* looked up, SOCKET or CONNECT in flight */
    int answers_watched;           /* a POLL_ADD on resolve_fd() is in */
    double timeout;
};

/* A submission slot with `room` - 1 more free behind it (linked requests
 * must go in together), making room by submitting the ring; NULL when
 * even that fails (errno from io_uring_enter). */
static struct io_uring_sqe *new_sqe(struct fetcher *f, unsigned room)
{
    while (uring_room(&f->ring) < room)
        if (uring_enter(&f->ring, 0) < 0 && errno != EINTR)
            return NULL;
    return uring_sqe(&f->ring);
}

static uint64_t tag(struct fetcher *f, struct conn *c, enum op op)
{
    return (uint64_t)(c - f->conns) << OP_BITS | op;
}

static void conn_end(struct fetcher *f, struct conn *c);
static void watch_answers(struct fetcher *f);

/* c's connect is over, well or not: the next URL may start connecting. */
static void connected(struct fetcher *f, struct conn *c)
{
    f->connecting -= c->connecting;
    c->connecting = 0;
}

/* Queues the next step of c; it goes in at the next io_uring_enter. */
static void submit(struct fetcher *f, struct conn *c, enum op op)
{
    int fallback = op == OP_CONNECT && c->tried + 1 < c->n_addrs;   /* another address left */
    struct io_uring_sqe *sqe = new_sqe(f, fallback ? 2 : 1);
    if (sqe == NULL) {
        report_fail(c->result, "io_uring_enter: %s", strerror(errno));
        conn_end(f, c);
        return;
    }
    sqe->opcode = op == OP_SOCKET ? IORING_OP_SOCKET : op == OP_CONNECT ? IORING_OP_CONNECT
                : op == OP_SEND ? IORING_OP_SEND : IORING_OP_RECV;
    sqe->fd = c->fd;
    /* slide:submit */
    if (op == OP_SOCKET) {
        sqe->fd = c->addrs[c->tried].sa.sa_family;
        sqe->off = SOCK_STREAM | SOCK_CLOEXEC;
    } else if (op == OP_CONNECT) {
        sqe->addr = (uintptr_t)&c->addrs[c->tried];
        sqe->off = c->addrs[c->tried].sa.sa_family == AF_INET6 ? sizeof c->addrs[0].in6
                                                               : sizeof c->addrs[0].in;
    } else if (op == OP_SEND) {
        sqe->addr = (uintptr_t)(c->request + c->sent);
        sqe->len = (unsigned)(c->request_len - c->sent);
        sqe->msg_flags = MSG_NOSIGNAL;
    } else {
        sqe->flags = IOSQE_BUFFER_SELECT;     /* a buffer from the pool, */
        sqe->buf_group = URING_BUF_GROUP;     /* picked when data comes */
        sqe->len = POOL_BUFFER_SIZE;
    }
    sqe->user_data = tag(f, c, op);
    /* end slide */
    c->io = op;
    c->pending++;
    /* slide:link */
    if (fallback) {                       /* cancel the connect if it takes too long */
        sqe->flags |= IOSQE_IO_LINK;
        sqe = uring_sqe(&f->ring);        /* the next slot: new_sqe made room */
        sqe->opcode = IORING_OP_LINK_TIMEOUT;
        sqe->addr = (uintptr_t)&attempt_time;
        sqe->len = 1;
        sqe->user_data = tag(f, c, OP_LINK_TIMEOUT);
        c->pending++;
    }
    /* end slide */
}

/* Queues a request that ends something (a close, a timer removed, a step
 * cancelled), pointing at fd or at another request's user_data. Where no
 * slot can be had, the blocking call does it instead. */
static void submit_end(struct fetcher *f, struct conn *c, enum op op, uint64_t target)
{
    struct io_uring_sqe *sqe = new_sqe(f, 1);
    if (sqe == NULL) {
        if (op == OP_CLOSE)
            net_close(c->fd);
        else if (op == OP_CANCEL)
            shutdown(c->fd, SHUT_RDWR);   /* the step then completes by itself */
        return;                           /* a timer left running fires harmlessly */
    }
    sqe->opcode = op == OP_CLOSE ? IORING_OP_CLOSE
                : op == OP_CANCEL ? IORING_OP_ASYNC_CANCEL : IORING_OP_TIMEOUT_REMOVE;
    sqe->fd = op == OP_CLOSE ? c->fd : -1;
    sqe->addr = target;
    sqe->user_data = tag(f, c, op);
    c->pending++;
}

/* Ends c, well or not: its result is final now. What it still has in the
 * kernel is cancelled or closed; its buffers stay until those complete. */
static void conn_end(struct fetcher *f, struct conn *c)
{
    struct fetch_result *r = c->result;
    if (c->done)
        return;
    c->done = 1;
    connected(f, c);
    if (r->error[0] == '\0') {
        r->status = c->response.status;
        r->body = c->response.body;       /* the result owns the body now */
        r->bytes = c->response.body_len;
        c->response.body = NULL;
    }
    r->end = timeline_now();
    if (c->lookup != NULL)
        resolve_cancel(c->lookup);        /* its answer, when it comes, is dropped */
    c->lookup = NULL;
    /* slide:end */
    if (c->io != 0)
        submit_end(f, c, OP_CANCEL, tag(f, c, c->io));
    if (c->fd >= 0)
        submit_end(f, c, OP_CLOSE, 0);
    if (c->timer_on)
        submit_end(f, c, OP_TIMEOUT_REMOVE, tag(f, c, OP_TIMEOUT));
    /* end slide */
}

/* Frees what c held, once nothing of it is left in the kernel. */
static void conn_release(struct fetcher *f, struct conn *c)
{
    free(c->request);
    c->request = NULL;
    http_response_free(&c->response);
    c->released = 1;
    f->in_flight--;
}

/* "127.0.0.1:8000", "[::1]:8000": the address c tried i-th. */
static const char *addr_text(const struct conn *c, int i, char *buf, size_t size)
{
    struct addrinfo ai = { .ai_family = c->addrs[i].sa.sa_family,
                           .ai_addr = (struct sockaddr *)&c->addrs[i].sa,
                           .ai_addrlen = sizeof c->addrs[i] };
    return net_addr_text(&ai, buf, size);
}

static void step_fail(struct fetcher *f, struct conn *c, enum op op, int res)
{
    char where[NET_HOST_PORT_LEN];
    report_fail(c->result, "%s %s: %s", op_name[op], addr_text(c, c->tried, where, sizeof where),
                strerror(-res));
    conn_end(f, c);
}

/* c's connect was refused (res): the name's next address, in a new socket;
 * when none is left, c fails naming each address and why. */
static void connect_failed(struct fetcher *f, struct conn *c, int res)
{
    char why[NET_ERR_LEN * 2] = "", where[NET_HOST_PORT_LEN];
    c->failed[c->tried] = -res;
    net_close(c->fd);                     /* at once: the next SOCKET may get its number */
    c->fd = -1;
    if (++c->tried < c->n_addrs) {
        submit(f, c, OP_SOCKET);
        return;
    }
    for (int i = 0; i < c->n_addrs; i++) {
        size_t used = strlen(why);
        snprintf(why + used, sizeof why - used, "%sconnect %s: %s", i > 0 ? "; " : "",
                 addr_text(c, i, where, sizeof where), strerror(c->failed[i]));
    }
    report_fail(c->result, "%s", why);
    conn_end(f, c);
}

/* The response so far, fed with the `res` bytes one recv brought into
 * buf (0: the peer closed). */
static void on_received(struct fetcher *f, struct conn *c, const char *buf, int res)
{
    char err[HTTP_ERR_LEN];
    enum http_progress progress = res == 0
        ? http_response_eof(&c->response, err, sizeof err)
        : http_response_feed(&c->response, buf, (size_t)res, err, sizeof err);
    if (progress == HTTP_ERROR)
        report_fail(c->result, "%s", err);
    if (progress == HTTP_MORE)
        submit(f, c, OP_RECV);
    else
        conn_end(f, c);
}

/* One step of c completed with res: start the next one. */
static void step(struct fetcher *f, struct conn *c, enum op op, int res, const char *buf)
{
    if (res == -EINTR || res == -EAGAIN || res == -ENOBUFS) {   /* ENOBUFS: pool empty */
        submit(f, c, op);                 /* not done: ask again */
        return;
    }
    if (res < 0 && op == OP_CONNECT) {    /* ECANCELED: its link timeout fired */
        connect_failed(f, c, res == -ECANCELED ? -ETIMEDOUT : res);
        return;                           /* "connect 127.0.0.1:1: Connection refused" */
    }
    if (res < 0) {
        step_fail(f, c, op, res);
        return;
    }
    /* slide:step */
    if (op == OP_SOCKET) {
        c->fd = res;                      /* the new socket */
        submit(f, c, OP_CONNECT);
    } else if (op == OP_CONNECT) {
        connected(f, c);
        submit(f, c, OP_SEND);
    } else if (op == OP_SEND) {
        c->sent += (size_t)res;           /* maybe short: send the rest */
        submit(f, c, c->sent < c->request_len ? OP_SEND : OP_RECV);
    } else {
        on_received(f, c, buf, res);
    }
    /* end slide */
}

/* A completion came for c: res is what the request returned; flags name
 * the pool's buffer a recv filled. */
static void on_completion(struct fetcher *f, uint64_t user_data, int res, unsigned flags)
{
    enum op op = (enum op)(user_data & ((1u << OP_BITS) - 1));
    if (op == OP_ANSWERS) {               /* the resolver's pipe is readable */
        f->answers_watched = 0;
        resolve_answers();                /* calls on_resolved for each */
        watch_answers(f);                 /* lookups still out: watch again */
        return;
    }
    struct conn *c = &f->conns[user_data >> OP_BITS];
    c->pending--;
    /* slide:timeout */
    if (op == OP_TIMEOUT) {
        c->timer_on = 0;
        if (res == -ETIME && !c->done) {  /* it fired (-ECANCELED: removed) */
            report_fail(c->result, "timed out after %.2f s", f->timeout);
            conn_end(f, c);               /* cancels the step in flight */
        }
    /* end slide */
    } else if (op == OP_CLOSE) {
        c->fd = -1;
    } else if (op <= OP_RECV) {
        c->io = 0;
        const char *buf = flags & IORING_CQE_F_BUFFER ? uring_buffer(&f->ring, flags) : NULL;
        if (!c->done)                     /* done: cancelled, or after the end */
            step(f, c, op, res, buf);
        if (buf != NULL)
            uring_give_back(&f->ring, flags);   /* parsed: the kernel may refill it */
    }
    if (c->done && c->pending == 0)
        conn_release(f, c);               /* nothing in the kernel points at c */
}

/* The resolver's pipe turns readable when answers are in: one POLL_ADD
 * watches it while lookups are in flight (its fd may change between them). */
static void watch_answers(struct fetcher *f)
{
    struct io_uring_sqe *sqe;
    if (f->answers_watched || resolve_fd() < 0 || (sqe = new_sqe(f, 1)) == NULL)
        return;                           /* a ring that fails ends the loop anyway */
    sqe->opcode = IORING_OP_POLL_ADD;
    sqe->fd = resolve_fd();
    sqe->poll32_events = POLLIN;
    sqe->user_data = (uint64_t)f->n << OP_BITS | OP_ANSWERS;   /* no conn's index */
    f->answers_watched = 1;
}

/* c's addresses are known (list): its first SOCKET goes in. */
static void on_resolved(struct reactor *unused, struct addrinfo *list, const char *err, void *arg)
{
    struct conn *c = arg;
    struct fetcher *f = c->fetcher;
    (void)unused;
    c->lookup = NULL;
    if (list == NULL) {
        report_fail(c->result, "%s", err);   /* "resolve nosuch.test: Name or service not known" */
        conn_end(f, c);
        if (c->pending == 0)
            conn_release(f, c);
        return;
    }
    c->n_addrs = 0;
    for (struct addrinfo *ai = list; ai != NULL && c->n_addrs < MAX_ADDRS; ai = ai->ai_next)
        if (ai->ai_addrlen <= sizeof c->addrs[0])
            memcpy(&c->addrs[c->n_addrs++], ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(list);
    submit(f, c, OP_SOCKET);
}

/* Starts one fetch: its TIMEOUT and its SOCKET go in the ring together. */
static void conn_start(struct fetcher *f, struct conn *c)
{
    struct fetch_result *r = c->result;
    struct url url;                       /* 2 KiB: on the stack, not in each of 10,000 conns */
    char err[URL_ERR_LEN], request[URL_HOST_MAX + URL_PATH_MAX + 128];
    int len;
    r->start = timeline_now();
    http_response_init(&c->response);
    f->in_flight++;
    if (url_parse(r->url, &url, err, sizeof err) < 0)
        report_fail(r, "%s", err);
    else if ((len = http_format_get(request, sizeof request, &url)) < 0)
        report_fail(r, "request too long");
    else if ((c->request = strndup(request, (size_t)len)) == NULL)
        report_fail(r, "strndup: %s", strerror(errno));
    else
        c->request_len = (size_t)len;
    /* slide:start */
    struct io_uring_sqe *sqe = r->error[0] == '\0' ? new_sqe(f, 1) : NULL;
    if (sqe != NULL) {
        sqe->opcode = IORING_OP_TIMEOUT;  /* count 0: a pure timer */
        sqe->addr = (uintptr_t)&c->ts;
        sqe->len = 1;
        sqe->user_data = tag(f, c, OP_TIMEOUT);
        c->timer_on = 1;
        c->pending++;
        c->connecting = 1;
        f->connecting++;
        struct addrinfo *numeric = resolve_numeric(url.host, url.port);
        if (numeric != NULL)                      /* 127.0.0.1, ::1: no lookup */
            on_resolved(NULL, numeric, NULL, c);
        else if ((c->lookup = resolve_start(NULL, url.host, url.port, on_resolved, c)) != NULL)
            watch_answers(f);                     /* a name: a helper thread asks */
        else {
            report_fail(r, "resolve %s: %s", url.host, strerror(errno));
            conn_end(f, c);
        }
    /* end slide */
    } else {
        report_fail(r, "io_uring_enter: %s", strerror(errno));   /* kept: the first */
        conn_end(f, c);
    }
    if (c->done && c->pending == 0)
        conn_release(f, c);
}

static void start_more(struct fetcher *f)
{
    while (f->next < f->n && f->in_flight < f->max_in_flight && f->connecting < MAX_CONNECTING)
        conn_start(f, &f->conns[f->next++]);
}

/* The loop: submit what is queued and wait for one completion, then take
 * every completion there is. 0, or -1 with errno when the ring fails. */
static int run(struct fetcher *f)
{
    start_more(f);
    /* slide:loop */
    while (f->in_flight > 0) {
        if (uring_enter(&f->ring, 1) < 0 && errno != EINTR)
            return -1;
        struct io_uring_cqe *cqe;
        while ((cqe = uring_peek(&f->ring)) != NULL) {
            uint64_t user_data = cqe->user_data;
            int res = cqe->res;
            unsigned flags = cqe->flags;
            uring_seen(&f->ring);         /* copied: the slot may go */
            on_completion(f, user_data, res, flags);
        }
        start_more(f);                    /* slots freed: the next URLs */
    }
    /* end slide */
    return 0;
}

/* When the ring itself fails, every fetch not finished fails with `why`.
 * What is in the kernel is left there: exit takes the ring and the fds. */
static void fail_unfinished(struct fetcher *f, const char *why)
{
    for (int i = 0; i < f->n; i++) {
        struct conn *c = &f->conns[i];
        if (!c->done)
            report_fail(c->result, "%s", why);
        if (i < f->next && !c->released) {
            conn_end(f, c);
            c->pending = 0;
            conn_release(f, c);
        }
    }
}

int main(int argc, char **argv)
{
    struct fetch_job job;
    char why[FETCH_ERR_LEN];
    int rc = fetchcli_parse(&job, argc, argv, "uring",
                            "Fetch every URL at once through io_uring: each step a request, "
                            "each result a completion (chapter 14).", NULL, 0);
    if (rc != FETCHCLI_RUN)
        return rc;
    long fds = net_raise_fd_limit();
    struct fetcher f = { .n = job.n, .timeout = job.timeout,
                         .max_in_flight = fds > 64 ? (int)(fds - 32) : 32 };
    f.conns = calloc((size_t)job.n, sizeof *f.conns);
    if (f.conns == NULL || uring_init(&f.ring, RING_ENTRIES, why, sizeof why) < 0
        || uring_provide(&f.ring, POOL_BUFFERS, POOL_BUFFER_SIZE, why, sizeof why) < 0) {
        if (f.conns == NULL)
            snprintf(why, sizeof why, "calloc: %s", strerror(errno));
        fprintf(stderr, "uring: %s\n", why);
        for (int i = 0; i < job.n; i++)
            report_fail(&job.results[i], "%s", why);
        if (f.conns != NULL)
            uring_free(&f.ring);
        free(f.conns);
        fetchcli_finish(&job);
        return 1;
    }
    struct __kernel_timespec ts = { .tv_sec = (long long)job.timeout,
        .tv_nsec = (long long)((job.timeout - (double)(long long)job.timeout) * 1e9) };
    for (int i = 0; i < job.n; i++)
        f.conns[i] = (struct conn){ .fetcher = &f, .result = &job.results[i], .fd = -1, .ts = ts };
    if (run(&f) < 0) {
        snprintf(why, sizeof why, "io_uring_enter: %s", strerror(errno));
        fail_unfinished(&f, why);
    }
    uring_free(&f.ring);
    free(f.conns);
    return fetchcli_finish(&job);
}
