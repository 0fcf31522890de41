/* client: one HTTP GET on a reactor. The blocking fetch of chapter 01 cut
 * at each wait into a callback: connect (wait for writable), send (wait for
 * room), read (wait for bytes), with one timer as the deadline.
 * A name's addresses are tried in turn, the next when one refuses.
 * Left out: retries, keep-alive; DNS blocks (names here are 127.0.0.1),
 * racing the addresses (a black-holed one waits out the timeout).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "fetch.h"
#include "http.h"
#include "net.h"
#include "timeline.h"
#include "url.h"

enum call_state { CONNECTING, SENDING, READING };

struct client_call {
    struct reactor *rx;
    struct fetch_result *result;
    client_done_fn *done;
    void *arg;
    enum call_state state;
    struct net_attempts addrs;  /* the name's addresses, tried in turn */
    int fd;
    struct url url;
    char request[URL_HOST_MAX + URL_PATH_MAX + 128];
    size_t request_len, sent;
    struct http_response response;
    struct timer timer;     /* the deadline, or the "fail soon" call */
    double timeout;
};

void client_cancel(struct client_call *call)
{
    if (call->fd >= 0) {
        reactor_unwatch(call->rx, call->fd);
        close(call->fd);
    }
    net_attempts_free(&call->addrs);
    reactor_cancel(call->rx, &call->timer);
    http_response_free(&call->response);
    free(call);
}

/* The end of every call: keep the body, free the rest, tell the caller. */
static void finish(struct client_call *call)
{
    struct fetch_result *r = call->result;
    client_done_fn *done = call->done;
    void *arg = call->arg;
    report_done(r, &call->response);
    client_cancel(call);
    done(r, arg);
}

static void on_deadline(struct reactor *rx, void *arg)
{
    struct client_call *call = arg;
    (void)rx;
    if (call->result->error[0] == '\0')   /* not a "fail soon" already */
        report_fail(call->result, "timed out after %.2f s", call->timeout);
    finish(call);
}

static void read_some(struct client_call *call)
{
    char err[HTTP_ERR_LEN];
    enum http_progress progress = fetch_read_nb(call->fd, &call->response, err, sizeof err);
    if (progress == HTTP_ERROR)
        report_fail(call->result, "%s", err);
    if (progress != HTTP_MORE)
        finish(call);
}

/* Returns -1 when the call has ended (and is freed). */
static int send_some(struct client_call *call)
{
    size_t n;
    enum net_nb sent = net_send_nb(call->fd, call->request + call->sent,
                                   call->request_len - call->sent, &n);
    if (sent == NET_ERROR) {
        report_fail(call->result, "send: %s", strerror(errno));
        finish(call);
        return -1;
    }
    call->sent += n;                              /* short, or 0 (NET_AGAIN): again */
    if (call->sent == call->request_len)
        call->state = READING;                    /* on_io waits for the answer */
    return 0;
}

static void on_io(struct reactor *rx, int fd, int events, void *arg);

/* Every state waits for one thing; this says which, or fails the call. */
static void wait_for(struct client_call *call, int events)
{
    if (reactor_watch(call->rx, call->fd, events, on_io, call) < 0) {
        report_fail(call->result, "watch fd %d: %s", call->fd, strerror(errno));
        finish(call);
    }
}

/* The connect failed (errno, from SO_ERROR, says how): the name's next
 * address, or the call fails naming what happened to each. */
static void next_address(struct client_call *call)
{
    char err[sizeof call->addrs.errors];
    int why = errno;
    reactor_unwatch(call->rx, call->fd);
    net_close(call->fd);
    errno = why;
    call->fd = net_attempts_next(&call->addrs, err, sizeof err);
    if (call->fd >= 0) {
        wait_for(call, REACTOR_WRITE);
        return;
    }
    report_fail(call->result, "%s", err);
    finish(call);
}

static void on_io(struct reactor *rx, int fd, int events, void *arg)
{
    struct client_call *call = arg;
    (void)rx;
    (void)events;
    if (call->state == CONNECTING) {   /* writable: the handshake is over */
        if (net_connect_result(fd, call->url.host, call->url.port, NULL, 0) < 0) {
            next_address(call);         /* SO_ERROR said how it ended */
            return;
        }
        call->state = SENDING;          /* and the socket is writable: go on */
    }
    if (call->state == SENDING) {
        if (send_some(call) == 0 && call->state == READING)
            wait_for(call, REACTOR_READ);
        return;
    }
    read_some(call);
}

/* Parses the URL and starts the connect. -1 when r has failed already. */
static int start(struct client_call *call)
{
    char err[sizeof call->addrs.errors];
    struct fetch_result *r = call->result;
    struct addrinfo *list;
    int len;
    if (url_parse(r->url, &call->url, err, sizeof err) < 0) {
        report_fail(r, "%s", err);
        return -1;
    }
    if ((len = http_format_get(call->request, sizeof call->request, &call->url)) < 0) {
        report_fail(r, "request too long");
        return -1;
    }
    call->request_len = (size_t)len;
    if (net_resolve(call->url.host, call->url.port, &list, err, sizeof err) < 0
        || (call->fd = net_attempts_start(&call->addrs, list, err, sizeof err)) < 0) {
        report_fail(r, "%s", err);
        return -1;
    }
    if (reactor_watch(call->rx, call->fd, REACTOR_WRITE, on_io, call) < 0) {
        report_fail(r, "watch fd %d: %s", call->fd,
                    errno == ERANGE ? "over FD_SETSIZE for select" : strerror(errno));
        return -1;
    }
    return 0;
}

struct client_call *client_get(struct reactor *rx, struct fetch_result *r, double timeout,
                               client_done_fn *done, void *arg)
{
    struct client_call *call = calloc(1, sizeof *call);
    if (call == NULL)
        return NULL;
    *call = (struct client_call){ .rx = rx, .result = r, .done = done, .arg = arg,
                                  .state = CONNECTING, .fd = -1, .timeout = timeout };
    http_response_init(&call->response);
    r->start = timeline_now();
    /* A call that failed at once still ends through the reactor, right
     * away: the caller's "done" never runs inside client_get. */
    int failed = start(call) < 0;
    int armed = failed ? reactor_call_soon(rx, &call->timer, on_deadline, call)
                       : reactor_call_later(rx, &call->timer, timeout, on_deadline, call);
    if (armed < 0) {
        int saved = errno;
        client_cancel(call);
        errno = saved;
        return NULL;
    }
    return call;
}
