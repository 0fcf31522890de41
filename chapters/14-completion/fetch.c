/* Chapter 14: completion instead of readiness, on io_uring (Linux 5.19). Each step
 * of a fetch and its --timeout is a request: a prep function queues it, a handler
 * takes its completion and preps the next. Left out: registered files, SQPOLL. */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "fetchcli.h"
#include "http.h"
#include "net.h"
#include "resolve.h"
#include "timeline.h"
#include "uring.h"

#define RING_ENTRIES 4096       /* submission slots; a full ring is submitted */
#define MAX_CONNECTING 64       /* connects under way at once (see the README) */
#define MAX_ADDRS 4             /* addresses of a name tried, one after another */
#define POOL_BUFFERS 256        /* recv buffers shared by every fetch, */
#define POOL_BUFFER_SIZE (16 * 1024)   /* each as large as chapter 07's reads */
/* How long a connect may take while another address is left (RFC 8305). */
static const struct __kernel_timespec attempt_time = { .tv_sec = 0, .tv_nsec = 250000000 };

/* A completion carries only a result (a new fd, bytes, -errno), flags and
 * its user_data: the address of a struct req, what it did and for whom. */
enum op { OP_SOCKET, OP_CONNECT, OP_SEND, OP_RECV, OP_TIMEOUT, OP_OTHER, OP_ANSWERS };
struct req { enum op op; struct conn *conn; };

/* Where a fetch is; a step's prep function sets the step's. From RESOLVING on,
 * its TIMEOUT is in the kernel, from CONNECTING to RECEIVING one step (c->step)
 * too. CLOSING: the result is final, requests are still in. DONE: none is. */
enum conn_state { IDLE, RESOLVING, CONNECTING, SENDING, RECEIVING, CLOSING, DONE };

struct conn {
    struct fetcher *fetcher;
    struct fetch_result *result;   /* its URL is parsed in conn_start, not kept */
    enum conn_state state;
    int pending;                   /* requests whose completion has not come */
    struct req step, timer, other; /* what the user_data point at */
    struct resolve *lookup;        /* while RESOLVING a name */
    struct addrinfo *addrs, *addr; /* its addresses; the one tried */
    int fd, tried, failed[MAX_ADDRS];   /* failed: each refusal's errno */
    char *request;                 /* the kernel reads it until SEND completes */
    size_t request_len, sent;
    struct http_response response;
};

struct fetcher {
    struct uring ring;
    struct fetch_job *job;         /* the URLs, their results, --timeout */
    struct conn *conns;
    int next, in_flight, max_in_flight, connecting;   /* conns[next..) wait; set_state */
    struct req answers;            /* a POLL_ADD on the resolver's pipe, */
    int answers_watched;           /* while it is in the kernel */
    struct __kernel_timespec timeout_time;
};

static int started(enum conn_state s) { return s != IDLE && s != DONE; }
static int connecting(enum conn_state s) { return s == RESOLVING || s == CONNECTING; }
static void set_state(struct fetcher *f, struct conn *c, enum conn_state s)
{
    f->in_flight += started(s) - started(c->state);
    f->connecting += connecting(s) - connecting(c->state);
    c->state = s;
}

/* A slot for c's request, room - 1 more behind it (linked ones go in together). */
static struct io_uring_sqe *get_sqe(struct fetcher *f, struct conn *c, struct req *req,
                                    enum op op, unsigned room)
{
    struct io_uring_sqe *sqe = uring_sqe_room(&f->ring, room);
    *req = (struct req){ op, c };
    sqe->user_data = (uintptr_t)req;
    c->pending++;
    return sqe;
}

static void prep_socket(struct fetcher *f, struct conn *c)
{
    set_state(f, c, CONNECTING);
    uring_prep(get_sqe(f, c, &c->step, OP_SOCKET, 1), IORING_OP_SOCKET, c->addr->ai_family,
               NULL, 0, SOCK_STREAM | SOCK_CLOEXEC);
}

/* While another address is left, a LINK_TIMEOUT cancels the CONNECT. */
static void prep_connect(struct fetcher *f, struct conn *c)
{
    int fallback = c->addr->ai_next != NULL && c->tried + 1 < MAX_ADDRS;
    struct io_uring_sqe *sqe = get_sqe(f, c, &c->step, OP_CONNECT, fallback ? 2 : 1);
    uring_prep(sqe, IORING_OP_CONNECT, c->fd, c->addr->ai_addr, 0, c->addr->ai_addrlen);
    if (fallback) {
        sqe->flags = IOSQE_IO_LINK;
        sqe = get_sqe(f, c, &c->other, OP_OTHER, 1);
        uring_prep(sqe, IORING_OP_LINK_TIMEOUT, -1, &attempt_time, 1, 0);
    }
}

static void prep_send(struct fetcher *f, struct conn *c)
{
    set_state(f, c, SENDING);
    struct io_uring_sqe *sqe = get_sqe(f, c, &c->step, OP_SEND, 1);
    uring_prep(sqe, IORING_OP_SEND, c->fd, c->request + c->sent,
               (unsigned)(c->request_len - c->sent), 0);
    sqe->msg_flags = MSG_NOSIGNAL;
}

/* A RECV names no buffer: the kernel takes one from the pool when data comes. */
static void prep_recv(struct fetcher *f, struct conn *c)
{
    set_state(f, c, RECEIVING);
    struct io_uring_sqe *sqe = get_sqe(f, c, &c->step, OP_RECV, 1);
    uring_prep(sqe, IORING_OP_RECV, c->fd, NULL, POOL_BUFFER_SIZE, 0);
    sqe->flags = IOSQE_BUFFER_SELECT;
    sqe->buf_group = URING_BUF_GROUP;
}

static void prep_close(struct fetcher *f, struct conn *c)
{
    uring_prep(get_sqe(f, c, &c->other, OP_OTHER, 1), IORING_OP_CLOSE, c->fd, NULL, 0, 0);
}

static void prep_timeout(struct fetcher *f, struct conn *c)   /* with no count: a plain timer */
{
    uring_prep(get_sqe(f, c, &c->timer, OP_TIMEOUT, 1), IORING_OP_TIMEOUT, -1,
               &f->timeout_time, 1, 0);
}

/* c's result is final (why: the failure, or NULL): its socket is closed, its timer
 * removed (-ENOENT if it has fired). c stays until the last of its requests completes. */
static void conn_finish(struct fetcher *f, struct conn *c, const char *why)
{
    set_state(f, c, CLOSING);
    if (why != NULL)
        report_fail(c->result, "%s", why);
    report_done(c->result, &c->response);   /* the result takes the body */
    resolve_cancel(c->lookup);            /* a lookup's answer will be dropped */
    if (c->fd >= 0)
        prep_close(f, c);
    uring_prep(get_sqe(f, c, &c->other, OP_OTHER, 1), IORING_OP_TIMEOUT_REMOVE, -1,
               &c->timer, 0, 0);          /* the TIMEOUT's user_data */
}

static void conn_release(struct fetcher *f, struct conn *c)
{
    free(c->request);
    if (c->addrs != NULL)
        freeaddrinfo(c->addrs);
    set_state(f, c, DONE);
}

/* Whether res is an error: then c fails, "recv 127.0.0.1:8000: Connection reset by peer". */
static int step_failed(struct fetcher *f, struct conn *c, const char *what, int res)
{
    char why[NET_ERR_LEN] = "";
    if (res < 0)
        conn_finish(f, c, net_note_failure(why, sizeof why, what, c->addr, -res));
    return res < 0;
}

static void on_socket(struct fetcher *f, struct conn *c, int res)
{
    if (!step_failed(f, c, "socket", res)) {
        c->fd = res;                      /* the new socket */
        prep_connect(f, c);
    }
}

/* Refused or timed out: the next address, or c fails naming each and why. */
static void on_connect(struct fetcher *f, struct conn *c, int res)
{
    char why[NET_ERR_LEN * 2] = "";
    if (res == 0) {
        prep_send(f, c);
        return;
    }
    c->failed[c->tried++] = res == -ECANCELED ? ETIMEDOUT : -res;
    net_close(c->fd);                     /* at once: the next SOCKET may get its number */
    c->fd = -1;
    if (c->addr->ai_next != NULL && c->tried < MAX_ADDRS) {
        c->addr = c->addr->ai_next;
        prep_socket(f, c);
        return;
    }
    struct addrinfo *ai = c->addrs;
    for (int i = 0; i < c->tried; i++, ai = ai->ai_next)
        net_note_failure(why, sizeof why, "connect", ai, c->failed[i]);
    conn_finish(f, c, why);
}

static void on_send(struct fetcher *f, struct conn *c, int res)
{
    if (step_failed(f, c, "send", res))
        return;
    c->sent += (size_t)res;
    if (c->sent < c->request_len)
        prep_send(f, c);                  /* a short send: the rest */
    else
        prep_recv(f, c);
}

/* buf: a pool buffer with res bytes in. -ENOBUFS: the pool was empty. */
static void on_recv(struct fetcher *f, struct conn *c, int res, const char *buf)
{
    char err[HTTP_ERR_LEN];
    enum http_progress progress = HTTP_MORE;
    if (res != -ENOBUFS && step_failed(f, c, "recv", res))
        return;
    if (res >= 0)
        progress = res == 0 ? http_response_eof(&c->response, err, sizeof err)
                            : http_response_feed(&c->response, buf, (size_t)res, err, sizeof err);
    if (progress == HTTP_MORE)
        prep_recv(f, c);
    else
        conn_finish(f, c, progress == HTTP_ERROR ? err : NULL);
}

/* The TIMEOUT fired: the step in flight is cancelled (a close would not do). */
static void on_timeout(struct fetcher *f, struct conn *c)
{
    report_fail(c->result, "timed out after %.2f s", f->job->timeout);
    if (c->state != RESOLVING)            /* names the step by its user_data */
        uring_prep(get_sqe(f, c, &c->other, OP_OTHER, 1), IORING_OP_ASYNC_CANCEL, -1,
                   &c->step, 0, 0);
    conn_finish(f, c, NULL);
}

/* While lookups are out, a POLL_ADD watches the resolver's pipe (chapter 07). */
static void watch_answers(struct fetcher *f)
{
    if (f->answers_watched || resolve_fd() < 0)
        return;
    uring_poll(&f->ring, resolve_fd(), POLLIN, &f->answers);
    f->answers_watched = 1;
}

/* res: what the operation returned; flags: which pool buffer a RECV filled. */
static void on_completion(struct fetcher *f, struct req *req, int res, unsigned flags)
{
    struct conn *c = req->conn;
    if (req->op == OP_ANSWERS) {
        f->answers_watched = 0;
        resolve_answers();                /* on_resolved for each answer in */
        watch_answers(f);                 /* lookups still out: again */
        return;
    }
    c->pending--;
    if (c->state == CLOSING) {            /* cancelled, removed, or too late */
        if (req->op == OP_SOCKET && res >= 0)
            net_close(res);
    } else switch (req->op) {
    case OP_SOCKET: on_socket(f, c, res); break;
    case OP_CONNECT: on_connect(f, c, res); break;
    case OP_SEND: on_send(f, c, res); break;
    case OP_RECV: on_recv(f, c, res, uring_buffer(&f->ring, flags)); break;
    case OP_TIMEOUT: on_timeout(f, c); break;
    default: break;                       /* a LINK_TIMEOUT: its CONNECT's result says it */
    }
    if (c->state == CLOSING && c->pending == 0)
        conn_release(f, c);               /* nothing in the kernel points at c now */
}

static void on_resolved(struct reactor *unused, struct addrinfo *list, const char *err, void *arg)
{
    struct conn *c = arg;
    (void)unused;
    c->lookup = NULL;
    c->addrs = c->addr = list;            /* freed with c: the kernel reads ai_addr */
    if (list == NULL)
        conn_finish(c->fetcher, c, err);  /* "resolve nosuch.test: Name or service not known" */
    else
        prep_socket(c->fetcher, c);
}

/* Starts fetch i: its TIMEOUT goes in, then its name is looked up. */
static void conn_start(struct fetcher *f, int i)
{
    struct conn *c = &f->conns[i];
    struct url url;                       /* 2 KiB: not kept in each of 10,000 conns */
    char err[URL_ERR_LEN];
    *c = (struct conn){ .fetcher = f, .result = &f->job->results[i], .fd = -1 };
    c->result->start = timeline_now();
    http_response_init(&c->response);
    set_state(f, c, RESOLVING);
    prep_timeout(f, c);
    if (url_parse(c->result->url, &url, err, sizeof err) < 0)
        report_fail(c->result, "%s", err);
    else if ((c->request = http_format_get_new(&url, &c->request_len)) == NULL)
        report_fail(c->result, "request: %s", strerror(errno));
    else if ((c->addrs = resolve_numeric(url.host, url.port)) != NULL)
        on_resolved(NULL, c->addrs, NULL, c);   /* 127.0.0.1, ::1: no lookup */
    else if ((c->lookup = resolve_start(NULL, url.host, url.port, on_resolved, c)) != NULL)
        watch_answers(f);                 /* a name: a helper thread asks */
    else
        report_fail(c->result, "resolve %s: %s", url.host, strerror(errno));
    if (c->result->error[0] != '\0')      /* failed at once */
        conn_finish(f, c, NULL);
}

/* Start fetches, submit and wait, handle every completion. 0, or -1 with errno. */
static int run(struct fetcher *f)
{
    while (f->in_flight > 0 || f->next < f->job->n) {
        while (f->next < f->job->n && f->in_flight < f->max_in_flight
               && f->connecting < MAX_CONNECTING)
            conn_start(f, f->next++);
        if (f->in_flight > 0 && uring_enter(&f->ring, 1) < 0 && errno != EINTR)
            return -1;
        struct io_uring_cqe *cqe;
        while ((cqe = uring_peek(&f->ring)) != NULL) {
            on_completion(f, (struct req *)(uintptr_t)cqe->user_data, cqe->res, cqe->flags);
            uring_seen(&f->ring);         /* its slot, and its buffer, are the kernel's again */
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct fetch_job job;
    char why[FETCH_ERR_LEN] = "";
    int rc = fetchcli_parse(&job, argc, argv, "uring", "Fetch every URL at once through io_uring: "
                            "each step a request, each result a completion (chapter 14).", NULL, 0);
    if (rc != FETCHCLI_RUN)
        return rc;
    long fds = net_raise_fd_limit();
    struct fetcher f = { .job = &job, .answers.op = OP_ANSWERS,
                         .max_in_flight = fds > 64 ? (int)(fds - 32) : 32,
                         .timeout_time = uring_timespec(job.timeout) };
    if ((f.conns = calloc((size_t)job.n, sizeof *f.conns)) == NULL)
        snprintf(why, sizeof why, "calloc: %s", strerror(errno));
    if (uring_init(&f.ring, RING_ENTRIES, why, sizeof why) < 0 || f.conns == NULL
        || uring_provide(&f.ring, POOL_BUFFERS, POOL_BUFFER_SIZE, why, sizeof why) < 0)
        fprintf(stderr, "uring: %s\n", why);
    else if (run(&f) < 0)
        snprintf(why, sizeof why, "io_uring_enter: %s", strerror(errno));
    for (int i = 0; why[0] != '\0' && i < job.n; i++) {   /* a ring failed */
        struct conn *c = f.conns != NULL ? &f.conns[i] : NULL;
        if (c == NULL || c->state < CLOSING)
            report_fail(&job.results[i], "%s", why);
        if (c != NULL && started(c->state) && c->state < CLOSING)
            conn_finish(&f, c, NULL);
        if (c != NULL && c->state == CLOSING)
            conn_release(&f, c);          /* what is in the kernel, exit takes */
    }
    uring_free(&f.ring);
    free(f.conns);
    return fetchcli_finish(&job);
}
