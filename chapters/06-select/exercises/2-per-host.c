/* Exercise 2-per-host (chapter 06): add --per-host N.
 * Starts as a copy of the chapter's fetch.c; see the .md beside it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dial.h"
#include "fetchcli.h"
#include "http.h"
#include "net.h"
#include "resolve.h"
#include "timeline.h"
#include "trace.h"
#include "url.h"

/* select() watches fds below FD_SETSIZE only; keep a few for stdio, the
 * lookups' pipe & co. */
#define MAX_IN_FLIGHT (FD_SETSIZE - 16)

/* kit: fetch.c#conn */
enum conn_state { QUEUED, RESOLVING, CONNECTING, SENDING, RECEIVING, DONE };

struct conn {
    enum conn_state state;
    struct fetch_result *result;      /* where the outcome goes */
    struct url url;
    struct resolve *lookup;           /* RESOLVING: on a helper thread */
    struct net_attempts addrs;        /* the name's addresses, tried in turn */
    int fd;
    double deadline;                  /* --timeout, as a timeline_now() time */
    double turn_end;                  /* CONNECTING: the next address's turn */
    char request[URL_HOST_MAX + URL_PATH_MAX + 128];
    size_t request_len, sent;         /* a write may be short: how far we got */
    struct http_response response;    /* fed whatever each read brings */
};
/* end kit */

/* Ends c, well or not: closes the socket and files the result. */
/* kit: fetch.c#conn_finish() */
static void conn_finish(struct conn *c)
{
    trace_fd(c->fd, "close");
    net_close(c->fd);
    c->fd = -1;
    resolve_cancel(c->lookup);          /* timed out while looking up */
    c->lookup = NULL;
    net_attempts_free(&c->addrs);
    report_done(c->result, &c->response);   /* the result owns the body now */
    c->state = DONE;
}
/* end kit */

/* kit: fetch.c#conn_fail() */
static void conn_fail(struct conn *c, const char *call)
{
    report_fail(c->result, "%s: %s", call, strerror(errno));
    conn_finish(c);
}
/* end kit */

/* When waiting itself fails, every fetch not yet done fails with it. */
/* kit: fetch.c#fail_all() */
static void fail_all(struct conn *conns, int n, const char *call)
{
    int saved = errno;
    for (int i = 0; i < n; i++) {
        errno = saved;
        if (conns[i].state != DONE)
            conn_fail(&conns[i], call);
    }
}
/* end kit */

/* c's connect is under way (fd), or could not start (-1, err): its
 * address gets DIAL_DELAY to connect before the next one's turn. */
/* kit: fetch.c#connect_started() */
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
        c->turn_end = timeline_now() + DIAL_DELAY;
        return;                         /* in flight: select() takes over */
    }
    conn_finish(c);
}
/* end kit */

/* Connects to the first of the name's addresses (list: c's now). */
/* kit: fetch.c#connect_first() */
static void connect_first(struct conn *c, struct addrinfo *list)
{
    char err[sizeof c->addrs.errors];
    c->fd = net_attempts_start(&c->addrs, list, err, sizeof err);
    connect_started(c, err);
}
/* end kit */

/* The lookup's answer, delivered on the loop by resolve_answers. */
/* kit: fetch.c#on_resolved() */
static void on_resolved(struct reactor *no_reactor, struct addrinfo *list, const char *err,
                        void *arg)
{
    struct conn *c = arg;
    (void)no_reactor;
    c->lookup = NULL;
    trace("resolved %s", c->url.host);
    if (list != NULL) {
        connect_first(c, list);
        return;
    }
    report_fail(c->result, "%s", err);
    conn_finish(c);
}
/* end kit */

/* Starts the connect and returns at once: the handshake goes on in the
 * kernel while we start the others. A name must be looked up first. */
/* kit: fetch.c#conn_start() */
static void conn_start(struct conn *c, double timeout)
{
    char err[URL_ERR_LEN];
    struct fetch_result *r = c->result;

    r->start = timeline_now();
    c->deadline = r->start + timeout;
    int len;
    if (url_parse(r->url, &c->url, err, sizeof err) < 0) {
        report_fail(r, "%s", err);
    } else if ((len = http_format_get(c->request, sizeof c->request, &c->url)) < 0) {
        report_fail(r, "request too long");
    } else {
        c->request_len = (size_t)len;
        struct addrinfo *numeric = resolve_numeric(c->url.host, c->url.port);
        if (numeric != NULL) {
            connect_first(c, numeric);  /* an address: nothing to look up */
            return;
        }
        /* getaddrinfo would block the loop: a helper thread calls it. */
        c->lookup = resolve_start(NULL, c->url.host, c->url.port, on_resolved, c);
        if (c->lookup != NULL) {
            trace("resolve %s: on a helper thread", c->url.host);
            c->state = RESOLVING;       /* until on_resolved */
            return;
        }
        report_fail(r, "resolve %s: %s", c->url.host, strerror(errno));
    }
    conn_finish(c);
}
/* end kit */

/* Writes what the socket takes now; RECEIVING once all of it is out. */
/* kit: fetch.c#send_some() */
static void send_some(struct conn *c)
{
    ssize_t n = send(c->fd, c->request + c->sent, c->request_len - c->sent, MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;                         /* no room after all: select again */
    if (n < 0) {
        conn_fail(c, "send");
        return;
    }
    c->sent += (size_t)n;               /* maybe short: the rest next time */
    trace_fd(c->fd, "sent %zd bytes", n);
    if (c->sent == c->request_len)
        c->state = RECEIVING;
}
/* end kit */

/* Reads what has arrived, which may be any piece of the response. */
/* kit: fetch.c#receive_some() */
static void receive_some(struct conn *c)
{
    char buf[16 * 1024], err[HTTP_ERR_LEN];
    enum http_progress progress;
    ssize_t n = read(c->fd, buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n < 0) {
        conn_fail(c, "read");
        return;
    }
    trace_fd(c->fd, "read %zd bytes%s", n, n == 0 ? " (end of stream)" : "");
    if (n == 0)
        progress = http_response_eof(&c->response, err, sizeof err);
    else
        progress = http_response_feed(&c->response, buf, (size_t)n, err, sizeof err);
    if (progress == HTTP_ERROR)
        report_fail(c->result, "%s", err);
    if (progress != HTTP_MORE)
        conn_finish(c);
}
/* end kit */

/* c's connect failed, or its turn ran out (errno says which): starts
 * one to the name's next address, or fails c, naming what happened to
 * each address. */
/* kit: fetch.c#next_address() */
static void next_address(struct conn *c)
{
    char err[sizeof c->addrs.errors];
    int failed = c->fd, why = errno;
    net_close(failed);
    c->fd = net_attempts_next(&c->addrs, err, sizeof err);
    trace_fd(failed, "connect failed: %s", strerror(why));
    connect_started(c, err);
}
/* end kit */

/* One step of the state machine, for a conn that select() says is ready. */
/* kit: fetch.c#conn_step() */
static void conn_step(struct conn *c, int readable, int writable)
{
    if (c->state == CONNECTING && writable) {
        /* Writable means the handshake ended; SO_ERROR says how. */
        if (net_connect_result(c->fd, c->url.host, c->url.port, NULL, 0) < 0) {
            next_address(c);            /* refused: the name's next address, if any */
            return;
        }
        c->state = SENDING;
        trace_fd(c->fd, "connected");
        send_some(c);                   /* it is writable: no need to wait */
    } else if (c->state == SENDING && writable) {
        send_some(c);
    } else if (c->state == RECEIVING && readable) {
        receive_some(c);
    }
}
/* end kit */

/* common/resolve's pipe, readable when lookups have answered; -1 when
 * none is in flight. (Over FD_SETSIZE it is not watched: they time out.) */
/* kit: fetch.c#lookups_fd() */
static int lookups_fd(void)
{
    int fd = resolve_fd();
    return fd < FD_SETSIZE ? fd : -1;
}
/* end kit */

/* Puts each conn in flight in the set for what it waits for, and returns
 * the highest fd; *nearest is the earliest deadline. */
/* kit: fetch.c#watch */
static int fill_sets(struct conn *conns, int n, fd_set *readers, fd_set *writers,
                     double *nearest)
{
    int max_fd = lookups_fd();          /* the RESOLVING conns wait on it */
    FD_ZERO(readers);
    FD_ZERO(writers);
    if (max_fd >= 0)
        FD_SET(max_fd, readers);
    for (int i = 0; i < n; i++) {
        struct conn *c = &conns[i];
        if (c->state == QUEUED || c->state == DONE)
            continue;
        if (c->deadline < *nearest)
            *nearest = c->deadline;
        if (c->state == CONNECTING && c->addrs.next != NULL && c->turn_end < *nearest)
            *nearest = c->turn_end;     /* then the next address's turn */
        if (c->state == RESOLVING)
            continue;                   /* no fd yet: it waits on the lookups' fd */
        FD_SET(c->fd, c->state == RECEIVING ? readers : writers);
        if (c->fd > max_fd)
            max_fd = c->fd;
    }
    return max_fd;
}
/* end kit */

/* How many fds the sets hold: what select() watches (a conn that is
 * resolving has none; the lookups' pipe is one for all of them). */
/* kit: fetch.c#count_fds() */
static int count_fds(int max_fd, const fd_set *readers, const fd_set *writers)
{
    int n = 0;
    for (int fd = 0; fd <= max_fd; fd++)
        n += FD_ISSET(fd, readers) || FD_ISSET(fd, writers);
    return n;
}
/* end kit */

/* kit: fetch.c#count_done() */
static int count_done(const struct conn *conns, int n)
{
    int done = 0;
    for (int i = 0; i < n; i++)
        done += conns[i].state == DONE;
    return done;
}
/* end kit */

/* Hands out the lookups' answers, moves every ready conn, moves those
 * whose address had its turn to the next, then fails those past their
 * deadline. Returns how many finished in this pass. */
/* kit: fetch.c#handle_ready() */
static int handle_ready(struct conn *conns, int n, const fd_set *readable,
                        const fd_set *writable, double timeout)
{
    int done_before = count_done(conns, n);
    if (lookups_fd() >= 0 && FD_ISSET(lookups_fd(), readable))
        resolve_answers();              /* calls on_resolved for each */
    for (int i = 0; i < n; i++) {
        struct conn *c = &conns[i];
        if (c->state == QUEUED || c->state == DONE)
            continue;
        if (c->state != RESOLVING)
            conn_step(c, FD_ISSET(c->fd, readable), FD_ISSET(c->fd, writable));
        if (c->state == CONNECTING && c->addrs.next != NULL && timeline_now() >= c->turn_end) {
            errno = ETIMEDOUT;          /* no answer in DIAL_DELAY */
            next_address(c);
        }
        if (c->state != DONE && timeline_now() >= c->deadline) {
            trace_fd(c->fd, "timed out");
            report_fail(c->result, "timed out after %.2f s", timeout);
            conn_finish(c);
        }
    }
    return count_done(conns, n) - done_before;
}
/* end kit */

/* kit: fetch.c#seconds_to_timeval() */
static struct timeval seconds_to_timeval(double seconds)
{
    if (seconds < 0)
        seconds = 0;
    struct timeval tv = { (time_t)seconds, 0 };
    tv.tv_usec = (suseconds_t)((seconds - (double)tv.tv_sec) * 1e6) + 1;  /* round up */
    return tv;
}
/* end kit */

/* kit: fetch.c#run_select_loop() */
static void run_select_loop(struct conn *conns, int n, double timeout)
{
    int started = 0, in_flight = 0, done = 0;
    while (done < n) {
        for (; started < n && in_flight < MAX_IN_FLIGHT; started++) {
            conn_start(&conns[started], timeout);
            if (conns[started].state == DONE)
                done++;                 /* failed at once: a bad URL, say */
            else
                in_flight++;
        }
        if (in_flight == 0)
            continue;                   /* only possible when all are done */
        fd_set readable, writable;
        double nearest = timeline_now() + 3600;
        int max_fd = fill_sets(conns, started, &readable, &writable, &nearest);
        struct timeval tv = seconds_to_timeval(nearest - timeline_now());
        trace_wait(count_fds(max_fd, &readable, &writable),
                   (double)tv.tv_sec + (double)tv.tv_usec / 1e6);
        /* The one place this program waits: for all sockets at once. */
        int ready = select(max_fd + 1, &readable, &writable, NULL, &tv);
        if (ready < 0) {
            if (errno != EINTR) {       /* EBADF, EINVAL: a bug, not the network */
                fail_all(conns, n, "select");
                return;
            }
            FD_ZERO(&readable);         /* a signal: nothing is ready */
            FD_ZERO(&writable);
        }
        trace_wake(ready < 0 ? 0 : ready);
        int finished = handle_ready(conns, started, &readable, &writable, timeout);
        in_flight -= finished;
        done += finished;
    }
}
/* end kit */

/* kit: fetch.c#main() */
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
    if (job.n > MAX_IN_FLIGHT)
        fprintf(stderr, "select: %d URLs, but select() watches only fds below FD_SETSIZE "
                "(%d): at most %d fetches at once, the other %d wait their turn\n",
                job.n, FD_SETSIZE, MAX_IN_FLIGHT, job.n - MAX_IN_FLIGHT);
    for (int i = 0; i < job.n; i++) {
        conns[i] = (struct conn){ .state = QUEUED, .result = &job.results[i], .fd = -1 };
        http_response_init(&conns[i].response);
    }
    run_select_loop(conns, job.n, job.timeout);
    free(conns);
    return fetchcli_finish(&job);
}
/* end kit */
