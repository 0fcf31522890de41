/* page: one fetch as a state machine on the reactor, ending in a deferred.
 *   CONNECTING --writable--> SENDING --all sent--> READING --complete--> fire
 * and a timer that fires the errback if the whole thing takes too long.
 * The connect itself (the lookup off the loop, every address raced) is
 * common/dial's; its callback moves us from CONNECTING to SENDING.
 * Left out: everything page.h lists.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dial.h"
#include "fetch.h"
#include "http.h"
#include "net.h"
#include "page.h"
#include "url.h"

enum conn_state { CONNECTING, SENDING, READING };

struct conn {
    struct reactor *reactor;
    struct deferred *deferred;   /* the caller's: we only fire it */
    struct url url;
    struct dial *dial;           /* while CONNECTING */
    int fd;
    enum conn_state state;
    char request[URL_HOST_MAX + URL_PATH_MAX + 128];
    size_t request_len, sent;
    struct http_response response;
    struct timer deadline;
    double timeout;
    struct conn *prev, *next;    /* in `going` */
};

/* Every fetch still going, for page_fail_all. One list for the program:
 * like the reactor, page.c is for one thread. */
static struct conn *going;

void page_free(struct page *p)
{
    if (p != NULL)
        free(p->body);
    free(p);
}

/* A malloc'd error message (NULL, read as "out of memory", if even that fails). */
static char *message(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *message(const char *fmt, ...)
{
    char text[640];              /* room for a dial's line per address */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return strdup(text);
}

static void leave_going(struct conn *c)
{
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        going = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
}

/* Lets go of everything the connection holds but its response. */
static void release(struct conn *c)
{
    leave_going(c);
    dial_cancel(&c->dial);       /* NULL once connected */
    reactor_unwatch(c->reactor, c->fd);
    net_close(c->fd);
    reactor_cancel(c->reactor, &c->deadline);
}

/* The end of every path: release the connection, then fire. Firing comes
 * last because the chain may do anything, even start new fetches. */
static void finish(struct conn *c, char *error)
{
    struct deferred *d = c->deferred;
    struct page *page = NULL;
    release(c);
    if (error == NULL && (page = malloc(sizeof *page)) == NULL)
        error = message("out of memory");
    if (page != NULL) {
        *page = (struct page){ c->response.status, c->response.body, c->response.body_len };
        c->response.body = NULL;   /* the page owns the body now */
    }
    http_response_free(&c->response);
    free(c);
    if (page != NULL)
        deferred_callback(d, page);
    else
        deferred_errback(d, error);
}

static void on_timeout(struct reactor *r, void *arg)
{
    struct conn *c = arg;
    (void)r;
    finish(c, message("timed out after %.2f s", c->timeout));
}

/* Returns 1 while more is to be sent, 0 when all is sent, -1 on error. */
static int send_some(struct conn *c)
{
    size_t n;
    enum net_nb sent = net_send_nb(c->fd, c->request + c->sent, c->request_len - c->sent, &n);
    if (sent == NET_ERROR) {
        finish(c, message("send: %s", strerror(errno)));
        return -1;
    }
    c->sent += n;          /* 0 when NET_AGAIN: the reactor calls us again */
    return c->sent < c->request_len;
}

/* Reads what has arrived and feeds the parser; finishes when it is done. */
static void read_some(struct conn *c)
{
    char err[HTTP_ERR_LEN];
    enum http_progress progress = fetch_read_nb(c->fd, &c->response, err, sizeof err);
    if (progress == HTTP_DONE)
        finish(c, NULL);
    else if (progress == HTTP_ERROR)
        finish(c, message("%s", err));
}

/* The reactor calls this whenever the fd is ready for what we wait for. */
static void on_ready(struct reactor *r, int fd, int events, void *arg)
{
    struct conn *c = arg;
    (void)events;
    if (c->state == SENDING) {
        int more = send_some(c);
        if (more == 0 && reactor_watch(r, fd, REACTOR_READ, on_ready, c) == 0)
            c->state = READING;
        else if (more == 0)
            finish(c, message("reactor_watch fd %d: %s", fd, strerror(errno)));
        return;
    }
    read_some(c);
}

/* common/dial calls this once: connected, or why every address failed. */
static void on_connected(struct reactor *r, int fd, const char *err, void *arg)
{
    struct conn *c = arg;
    c->dial = NULL;
    if (fd < 0) {
        finish(c, message("%s", err));   /* "connect 127.0.0.1:1: Connection refused" */
        return;
    }
    c->fd = fd;
    c->state = SENDING;
    if (reactor_watch(r, fd, REACTOR_WRITE, on_ready, c) < 0)
        finish(c, message("reactor_watch fd %d: %s", fd, strerror(errno)));
}

/* Parses, starts the connect and the timer: 0, or -1 with a malloc'd
 * message in *error. */
static int start(struct conn *c, const char *url, char **error)
{
    char err[NET_ERR_LEN];
    int len;
    if (url_parse(url, &c->url, err, sizeof err) < 0)
        *error = message("%s", err);
    else if ((len = http_format_get(c->request, sizeof c->request, &c->url)) < 0)
        *error = message("request too long");
    else if ((c->dial = dial_start(c->reactor, c->url.host, c->url.port, on_connected, c,
                                   err, sizeof err)) == NULL)
        *error = message("%s", err);
    else if (reactor_call_later(c->reactor, &c->deadline, c->timeout, on_timeout, c) < 0)
        *error = message("reactor_call_later: %s", strerror(errno));
    else {
        c->request_len = (size_t)len;
        return 0;
    }
    return -1;
}

struct deferred *fetch_page(struct reactor *r, const char *url, double timeout)
{
    struct deferred *d = deferred_new();
    struct conn *c = calloc(1, sizeof *c);
    char *error = NULL;
    if (d == NULL || c == NULL) {
        deferred_free(d);
        free(c);
        return NULL;
    }
    *c = (struct conn){ .reactor = r, .deferred = d, .fd = -1, .timeout = timeout };
    http_response_init(&c->response);
    if (start(c, url, &error) < 0) {
        dial_cancel(&c->dial);
        net_close(c->fd);
        http_response_free(&c->response);
        free(c);
        deferred_errback(d, error);   /* fired before anyone added a stage */
    } else {
        c->next = going;
        if (going != NULL)
            going->prev = c;
        going = c;
    }
    return d;
}

void page_fail_all(struct reactor *r, const char *why)
{
    struct conn *c = going;
    while (c != NULL) {
        if (c->reactor != r) {
            c = c->next;
            continue;
        }
        finish(c, message("%s", why));
        c = going;                    /* the chain may have started or ended others */
    }
}
