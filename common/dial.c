/* dial: resolve off the loop, then race the addresses (RFC 8305).
 *
 *   t = 0       attempt 1 starts
 *   t = 0.25 s  attempt 1 has not connected: attempt 2 starts too
 *   ...         an attempt that fails starts the next one at once
 *   first to connect wins: the others are unwatched and closed
 *
 * Every attempt that failed leaves a line in `errors`, so when all fail
 * the caller can say what happened to each address.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dial.h"
#include "net.h"
#include "resolve.h"
#include "trace.h"

#define DIAL_MAX_ADDRS 16   /* more addresses than this are not tried */

struct attempt {
    struct dial *dial;
    int fd;                 /* -1: not started, or over */
    const struct addrinfo *ai;
};

struct dial {
    struct reactor *reactor;
    dial_fn *done;
    void *arg;
    struct resolve *lookup;     /* while the name is resolved */
    struct addrinfo *list;      /* the answer; attempts point into it */
    struct attempt attempts[DIAL_MAX_ADDRS];
    int n, next, pending;       /* addresses, the next to try, in flight */
    struct timer delay;         /* starts the next attempt */
    int starting;               /* inside dial_start: do not call back */
    int last_errno;
    char errors[512];           /* "connect A: why; connect B: why" */
};

static void start_next(struct dial *d);

/* Adds "what" to the errors, keeps errno. */
static void note_error(struct dial *d, const char *what)
{
    size_t used = strlen(d->errors);
    d->last_errno = errno;
    snprintf(d->errors + used, sizeof d->errors - used, "%s%s", used > 0 ? "; " : "", what);
}

static void close_attempt(struct dial *d, struct attempt *a)
{
    if (a->fd < 0)
        return;
    trace_fd(a->fd, "close");
    reactor_unwatch(d->reactor, a->fd);   /* unwatch before close */
    net_close(a->fd);
    a->fd = -1;
    d->pending--;
}

/* Everything but the winner goes; then the caller hears (unless we are
 * still inside dial_start, which reports a failure itself). */
static void finish(struct dial *d, int fd)
{
    for (int i = 0; i < d->n; i++)
        if (d->attempts[i].fd != fd)
            close_attempt(d, &d->attempts[i]);
    reactor_cancel(d->reactor, &d->delay);
    if (d->list != NULL)
        freeaddrinfo(d->list);
    d->list = NULL;
    d->n = 0;
    if (d->starting && fd < 0)
        return;                           /* dial_start says it */
    errno = d->last_errno;
    d->done(d->reactor, fd, fd < 0 ? d->errors : NULL, d->arg);
    free(d);
}

/* A connected fd whose caller did not take its watch over (dial.h): let
 * the watch go at its first event. */
static void handed_over(struct reactor *r, int fd, int events, void *arg)
{
    (void)events, (void)arg;
    reactor_unwatch(r, fd);
}

static void on_writable(struct reactor *r, int fd, int events, void *arg)
{
    struct attempt *a = arg;
    struct dial *d = a->dial;
    char where[NET_HOST_PORT_LEN], what[NET_ERR_LEN];
    (void)events;
    if (net_connect_result(fd, "", 0, NULL, 0) == 0) {   /* SO_ERROR: it worked */
        /* Still watched for writing, by a handler that owns nothing: a
         * caller that watches it again changes the handler, not the
         * kernel's set (two epoll_ctl a fetch fewer than unwatch, watch). */
        reactor_watch(r, fd, REACTOR_WRITE, handed_over, NULL);
        a->fd = -1;                       /* the caller's now */
        d->pending--;
        finish(d, fd);
        return;
    }
    snprintf(what, sizeof what, "connect %s: %s", net_addr_text(a->ai, where, sizeof where),
             strerror(errno));
    trace_fd(fd, "%s", what);
    note_error(d, what);
    close_attempt(d, a);
    reactor_cancel(d->reactor, &d->delay);   /* a failure starts the next at once */
    start_next(d);
}

static void on_delay(struct reactor *r, void *arg)
{
    struct dial *d = arg;
    (void)r;
    start_next(d);
}

/* Starts attempts until one is in flight with a timer set for the next,
 * or none is left; finishes the dial when nothing is in flight. */
static void start_next(struct dial *d)
{
    char what[NET_ERR_LEN];
    while (d->next < d->n) {
        struct attempt *a = &d->attempts[d->next++];
        a->fd = net_connect_start_addr(a->ai, what, sizeof what);
        if (a->fd < 0) {
            note_error(d, what);          /* refused on the spot: the next one now */
            continue;
        }
        d->pending++;
        trace_fd(a->fd, "connect started");
        if (reactor_watch(d->reactor, a->fd, REACTOR_WRITE, on_writable, a) < 0) {
            snprintf(what, sizeof what, "fd %d: reactor_watch: %s", a->fd, errno == ERANGE
                     ? "over the backend's limit (FD_SETSIZE for select)" : strerror(errno));
            note_error(d, what);
            close_attempt(d, a);
            continue;
        }
        if (d->next < d->n
            && reactor_call_later(d->reactor, &d->delay, DIAL_DELAY, on_delay, d) < 0)
            note_error(d, "reactor_call_later: out of memory");   /* the rest wait for failures */
        return;
    }
    if (d->pending == 0)
        finish(d, -1);
}

/* The addresses in the order RFC 8305 tries them: the resolver's first
 * family first, then the families taking turns. */
static void order_addresses(struct dial *d, struct addrinfo *list)
{
    const struct addrinfo *first[DIAL_MAX_ADDRS], *other[DIAL_MAX_ADDRS];
    int n_first = 0, n_other = 0;
    for (const struct addrinfo *ai = list; ai != NULL; ai = ai->ai_next) {
        if (ai->ai_family == list->ai_family && n_first < DIAL_MAX_ADDRS)
            first[n_first++] = ai;
        else if (ai->ai_family != list->ai_family && n_other < DIAL_MAX_ADDRS)
            other[n_other++] = ai;
    }
    d->list = list;
    d->n = 0;
    for (int i = 0; d->n < DIAL_MAX_ADDRS && (i < n_first || i < n_other); i++) {
        if (i < n_first)
            d->attempts[d->n++] = (struct attempt){ d, -1, first[i] };
        if (i < n_other && d->n < DIAL_MAX_ADDRS)
            d->attempts[d->n++] = (struct attempt){ d, -1, other[i] };
    }
}

static void on_resolved(struct reactor *r, struct addrinfo *list, const char *err, void *arg)
{
    struct dial *d = arg;
    (void)r;
    d->lookup = NULL;
    if (list == NULL) {
        errno = ENOENT;                   /* getaddrinfo has its own codes */
        note_error(d, err);
        finish(d, -1);
        return;
    }
    order_addresses(d, list);
    start_next(d);
}

struct dial *dial_start(struct reactor *r, const char *host, int port,
                        dial_fn *done, void *arg, char *err, size_t errlen)
{
    struct dial *d = calloc(1, sizeof *d);
    if (d == NULL) {
        snprintf(err, errlen, "dial: %s", strerror(errno));
        return NULL;
    }
    *d = (struct dial){ .reactor = r, .done = done, .arg = arg, .starting = 1 };
    struct addrinfo *list = resolve_numeric(host, port);
    if (list != NULL) {                   /* an address: try it right away */
        order_addresses(d, list);
        start_next(d);
    } else if ((d->lookup = resolve_start(r, host, port, on_resolved, d)) == NULL) {
        snprintf(d->errors, sizeof d->errors, "resolve %s: %s", host, strerror(errno));
        d->last_errno = errno;
        d->n = -1;                        /* failed */
    }
    d->starting = 0;
    if (d->n > 0 || d->lookup != NULL)
        return d;                         /* under way: `done` will say */
    snprintf(err, errlen, "%s", d->errors);
    errno = d->last_errno;
    free(d);
    return NULL;
}

void dial_cancel(struct dial **handle)
{
    struct dial *d = *handle;
    if (d == NULL)
        return;
    *handle = NULL;
    resolve_cancel(d->lookup);
    d->starting = 1;                      /* finish without calling back */
    finish(d, -1);
    free(d);
}
