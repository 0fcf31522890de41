/* Chapter 06: every fetch at once, on one thread, with one select() loop.
 * Sockets are non-blocking, so nothing waits but select(); each URL is a
 * `conn` that remembers how far it got, and each pass moves it one step.
 * Left out, on purpose (the README shows the cost): getaddrinfo blocks the
 * loop, and a name's next address is tried only when one refuses (chapter
 * 07 fixes both); an fd over FD_SETSIZE fails its URL (chapter 12 lifts it).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fetchcli.h"
#include "http.h"
#include "net.h"
#include "timeline.h"
#include "trace.h"
#include "url.h"

enum conn_state { CONNECTING, SENDING, RECEIVING, DONE };

struct conn {
    enum conn_state state;
    struct fetch_result *result;      /* where the outcome goes */
    struct url url;
    struct net_attempts addrs;        /* the name's addresses, tried in order */
    int fd;
    double deadline;                  /* --timeout, as a timeline_now() time */
    char request[URL_HOST_MAX + URL_PATH_MAX + 128];
    size_t request_len, sent;         /* a write may be short: how far we got */
    struct http_response response;    /* fed whatever each read brings */
};

/* Ends c, well or not: closes the socket and files the result. */
static void conn_finish(struct conn *c)
{
    trace_fd(c->fd, "close");
    net_close(c->fd);
    net_attempts_free(&c->addrs);
    report_done(c->result, &c->response);   /* the result owns the body now */
    c->state = DONE;
}

static void conn_fail(struct conn *c, const char *call)
{
    report_fail(c->result, "%s: %s", call, strerror(errno));
    conn_finish(c);
}

/* c's connect is under way (c->fd), or could not start (-1, err). */
static void connect_started(struct conn *c, const char *err)
{
    if (c->fd < 0) {
        report_fail(c->result, "%s", err);
    } else if (c->fd >= FD_SETSIZE) {   /* FD_SET would write past the set */
        report_fail(c->result, "fd %d is over FD_SETSIZE (%d): select() cannot watch it",
                    c->fd, FD_SETSIZE);
    } else {
        trace_fd(c->fd, "connect started");
        c->state = CONNECTING;
        return;                         /* in flight: select() takes over */
    }
    conn_finish(c);
}

/* Looks c's host up (getaddrinfo: the whole loop waits), then starts a
 * connect to its first address: the handshake goes on in the kernel. */
static void conn_connect(struct conn *c)
{
    char err[sizeof c->addrs.errors];
    unsigned char addr[sizeof(struct in6_addr)];
    struct addrinfo *list;
    if (inet_pton(AF_INET, c->url.host, addr) != 1        /* a name, not */
        && inet_pton(AF_INET6, c->url.host, addr) != 1)  /* an address */
        trace("resolve %s: the loop waits in getaddrinfo", c->url.host);
    if (net_resolve(c->url.host, c->url.port, &list, err, sizeof err) == 0)
        c->fd = net_attempts_start(&c->addrs, list, err, sizeof err);
    connect_started(c, err);            /* c->fd is still -1 if that failed */
}

/* Starts c's clock, parses its URL, writes its request and connects. */
static void conn_start(struct conn *c, double timeout)
{
    char err[URL_ERR_LEN];
    int len;
    c->deadline = (c->result->start = timeline_now()) + timeout;
    if (url_parse(c->result->url, &c->url, err, sizeof err) < 0) {
        report_fail(c->result, "%s", err);
    } else if ((len = http_format_get(c->request, sizeof c->request, &c->url)) < 0) {
        report_fail(c->result, "request too long");
    } else {
        c->request_len = (size_t)len;
        conn_connect(c);
        return;
    }
    conn_finish(c);
}

/* Writes what the socket takes now; RECEIVING once all of it is out. */
static void send_some(struct conn *c)
{
    ssize_t n = send(c->fd, c->request + c->sent, c->request_len - c->sent, MSG_NOSIGNAL);
    if (n < 0) {                        /* EAGAIN: no room after all, select again */
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            conn_fail(c, "send");
        return;
    }
    c->sent += (size_t)n;               /* maybe short: the rest next time */
    trace_fd(c->fd, "sent %zd bytes", n);
    if (c->sent == c->request_len)
        c->state = RECEIVING;
}

/* Reads what has arrived, which may be any piece of the response. */
static void receive_some(struct conn *c)
{
    char buf[16 * 1024], err[HTTP_ERR_LEN];
    ssize_t n = read(c->fd, buf, sizeof buf);
    if (n < 0) {                        /* EAGAIN: nothing after all, select again */
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            conn_fail(c, "read");
        return;
    }
    trace_fd(c->fd, "read %zd bytes%s", n, n == 0 ? " (end of stream)" : "");
    enum http_progress progress = n == 0
        ? http_response_eof(&c->response, err, sizeof err)
        : http_response_feed(&c->response, buf, (size_t)n, err, sizeof err);
    if (progress == HTTP_ERROR)
        report_fail(c->result, "%s", err);
    if (progress != HTTP_MORE)
        conn_finish(c);
}

/* c's connect failed (errno says why): on to the name's next address. */
static void next_address(struct conn *c)
{
    char err[sizeof c->addrs.errors];
    int why = errno;
    trace_fd(c->fd, "connect failed: %s", strerror(why));
    net_close(c->fd);
    errno = why;
    c->fd = net_attempts_next(&c->addrs, err, sizeof err);
    connect_started(c, err);
}

/* One step of c's state machine, for what select() said; then its deadline.
 * Returns 1 when c is done now (it was not before), else 0. */
static int conn_step(struct conn *c, int readable, int writable)
{
    if (c->state == CONNECTING && writable) {
        /* Writable means the handshake ended; SO_ERROR says how. */
        if (net_connect_result(c->fd, c->url.host, c->url.port, NULL, 0) < 0) {
            next_address(c);            /* refused: the next address, if any */
        } else {
            c->state = SENDING;
            trace_fd(c->fd, "connected");
            send_some(c);               /* it is writable: no need to wait */
        }
    } else if (c->state == SENDING && writable) {
        send_some(c);
    } else if (c->state == RECEIVING && readable) {
        receive_some(c);
    }
    if (c->state != DONE && timeline_now() >= c->deadline) {
        trace_fd(c->fd, "timed out");
        report_fail(c->result, "timed out after %.2f s", c->deadline - c->result->start);
        conn_finish(c);
    }
    return c->state == DONE;
}

/* select()'s timeout: to the nearest deadline of a conn not done. */
static struct timeval wait_time(const struct conn *conns, int n, int left)
{
    double now = timeline_now(), s = 3600;
    for (const struct conn *c = conns; c < conns + n; c++)
        if (c->state != DONE && c->deadline - now < s)
            s = c->deadline - now;
    long us = s > 0 ? (long)(s * 1e6) + 1 : 0;   /* rounded up */
    trace_wait(left, (double)us / 1e6);
    return (struct timeval){ us / 1000000, us % 1000000 };
}

/* When waiting itself fails, every fetch not yet done fails with it. */
static void fail_all(struct conn *conns, int n, const char *call)
{
    int saved = errno;
    for (struct conn *c = conns; c < conns + n; c++)
        if (c->state != DONE) {
            errno = saved;
            conn_fail(c, call);
        }
}

/* The loop, until every conn is done, or select() fails (then they all do). */
static void run_loop(struct conn *conns, int n, int left)
{
    while (left > 0) {
        fd_set rd, wr;              /* select() overwrites them */
        int max_fd = -1;
        FD_ZERO(&rd);
        FD_ZERO(&wr);
        for (struct conn *c = conns; c < conns + n; c++)
            if (c->state != DONE) {
                FD_SET(c->fd, c->state == RECEIVING ? &rd : &wr);
                max_fd = c->fd > max_fd ? c->fd : max_fd;
            }
        struct timeval tv = wait_time(conns, n, left);
        int ready = select(max_fd + 1, &rd, &wr, NULL, &tv);
        if (ready < 0 && errno != EINTR)
            break;                  /* EBADF, EINVAL: a bug */
        trace_wake(ready < 0 ? 0 : ready);  /* EINTR: no event */
        for (struct conn *c = conns; c < conns + n; c++)
            if (ready >= 0 && c->state != DONE)
                left -= conn_step(c, FD_ISSET(c->fd, &rd),
                                  FD_ISSET(c->fd, &wr));
    }
    fail_all(conns, n, "select");   /* if select() failed */
}

int main(int argc, char **argv)
{
    struct fetch_job job;
    struct fetchcli_option options[] = { FETCHCLI_TRACE };
    int rc = fetchcli_parse(&job, argc, argv, "select",
                            "Fetch every URL at once with one select() loop (chapter 06).",
                            options, 1);
    if (rc != FETCHCLI_RUN)
        return rc;
    struct conn *conns = calloc((size_t)job.n, sizeof *conns);
    if (conns == NULL) {
        perror("select: calloc");
        fetchcli_finish(&job);
        return 1;
    }
    int left = 0;
    for (int i = 0; i < job.n; i++) {
        conns[i] = (struct conn){ .result = &job.results[i], .fd = -1 };
        http_response_init(&conns[i].response);
        conn_start(&conns[i], job.timeout);
        left += conns[i].state != DONE;
    }
    run_loop(conns, job.n, left);
    free(conns);
    return fetchcli_finish(&job);
}
