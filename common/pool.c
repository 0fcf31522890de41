/* pool: connections kept for reuse, per host:port, on the reactor. A host
 * has a list of connections (the most recently given back first) and a
 * queue of asks; an ask is lent a connection, idle, new or (pipelining)
 * shared, or waits. Users are told from the loop, in the order they were
 * lent to, through one call_soon timer per connection.
 * Left out: an idle timeout of our own, a limit across hosts, fairness
 * between hosts (each has its own queue).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "net.h"
#include "pool.h"
#include "trace.h"

struct pool_host {
    struct pool *pool;
    char *name;
    int port;
    struct pool_conn *conns;          /* most recently given back first */
    int n_conns;                      /* dialling, lent or idle */
    struct pool_wait *queue, *queue_last;
    struct pool_host *next;
};

struct pool {
    struct reactor *reactor;
    int max, pipeline;
    void (*on_close)(struct pool_conn *);
    struct pool_host *hosts;
    long connects;
};

struct pool *pool_new(struct reactor *r, int max_per_host, int pipeline,
                      void (*on_close)(struct pool_conn *))
{
    if (max_per_host < 1 || pipeline < 1) {
        errno = EINVAL;
        return NULL;
    }
    struct pool *p = calloc(1, sizeof *p);
    if (p != NULL)
        *p = (struct pool){ r, max_per_host, pipeline, on_close, NULL, 0 };
    return p;
}

long pool_connects(const struct pool *p)
{
    return p->connects;
}

static struct pool *pool_of(const struct pool_conn *c)
{
    return c->host->pool;
}

static void serve_queue(struct pool *p, struct pool_host *h);

/* ---- connections: close, idle, tell -------------------------------- */

static void unlink_conn(struct pool_host *h, struct pool_conn *c)
{
    for (struct pool_conn **at = &h->conns; *at != NULL; at = &(*at)->next)
        if (*at == c) {
            *at = c->next;
            return;
        }
}

static void conn_close(struct pool *p, struct pool_conn *c)
{
    unlink_conn(c->host, c);
    c->host->n_conns--;
    dial_cancel(&c->dial);
    reactor_cancel(p->reactor, &c->tell);
    if (p->on_close != NULL)
        p->on_close(c);
    if (c->fd >= 0) {
        trace_fd(c->fd, "pool: close");
        reactor_unwatch(p->reactor, c->fd);
        net_close(c->fd);
    }
    free(c->err);
    free(c);
}

/* An idle connection turned readable: the server closed it (its idle
 * timeout), or sent what nobody asked for. Either way it is done. */
static void on_idle_readable(struct reactor *r, int fd, int events, void *arg)
{
    struct pool_conn *c = arg;
    struct pool_host *h = c->host;
    struct pool *p = h->pool;
    char byte;
    (void)r, (void)events;
    ssize_t n = recv(fd, &byte, 1, MSG_PEEK);
    if (c->lent > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)))
        return;
    trace_fd(fd, "pool: idle connection %s: dropped",
             n == 0 ? "closed by the server" : n > 0 ? "sent bytes nobody asked for"
                                                     : "failed");
    conn_close(p, c);
    serve_queue(p, h);
}

static void make_idle(struct pool *p, struct pool_conn *c)
{
    unlink_conn(c->host, c);          /* to the front: the next one lent */
    c->next = c->host->conns;
    c->host->conns = c;
    if (reactor_watch(p->reactor, c->fd, REACTOR_READ, on_idle_readable, c) < 0)
        conn_close(p, c);
}

/* Tells the users lent c since the last time, in order. */
static void on_tell(struct reactor *r, void *arg)
{
    struct pool_conn *c = arg;
    struct pool *p = pool_of(c);
    if (c->err != NULL) {             /* the dial failed: every user hears why */
        char err[1024];
        struct pool_wait *w = c->given;
        snprintf(err, sizeof err, "%s", c->err);
        c->given = NULL;
        c->lent = 0;
        conn_close(p, c);
        for (struct pool_wait *next; w != NULL; w = next) {
            next = w->next;
            w->conn = NULL;
            w->fn(r, NULL, err, w->arg);
        }
        return;
    }
    while (c->given != NULL) {        /* c lives while one is left: each holds it */
        struct pool_wait *w = c->given;
        c->given = w->next;
        w->conn = NULL;
        int more = c->given != NULL;
        w->fn(r, c, NULL, w->arg);
        if (!more)
            return;
    }
}

static void lend(struct pool *p, struct pool_conn *c, struct pool_wait *w)
{
    if (c->lent == 0 && c->fd >= 0)
        reactor_unwatch(p->reactor, c->fd);   /* idle no more: the user watches */
    c->lent++;
    c->uses++;
    w->conn = c;
    w->next = NULL;
    if (c->given == NULL)
        c->given = w;
    else
        c->given_last->next = w;
    c->given_last = w;
    if (c->dial == NULL && reactor_call_soon(p->reactor, &c->tell, on_tell, c) < 0)
        perror("pool: reactor_call_soon");    /* out of memory: this ask is never told */
}

/* ---- dialling ------------------------------------------------------ */

static void on_dialled(struct reactor *r, int fd, const char *err, void *arg)
{
    struct pool_conn *c = arg;
    struct pool *p = pool_of(c);
    c->dial = NULL;
    if (fd < 0) {
        c->err = strdup(err);
    } else {
        c->fd = fd;
        p->connects++;
        trace_fd(fd, "pool: new connection to %s:%d (%d of %d)", c->host->name, c->host->port,
                 c->host->n_conns, p->max);
    }
    if (c->given != NULL || c->err != NULL) {
        if (reactor_call_soon(r, &c->tell, on_tell, c) < 0 && c->err == NULL)
            c->err = strdup(strerror(errno));
    } else {
        make_idle(p, c);              /* its asks were cancelled: keep it */
    }
}

static struct pool_conn *conn_new(struct pool *p, struct pool_host *h)
{
    struct pool_conn *c = calloc(1, sizeof *c);
    char err[1024];
    if (c == NULL)
        return NULL;
    c->fd = -1;
    c->host = h;
    c->next = h->conns;
    h->conns = c;
    h->n_conns++;
    c->dial = dial_start(p->reactor, h->name, h->port, on_dialled, c, err, sizeof err);
    if (c->dial == NULL)
        c->err = strdup(err);
    return c;
}

/* ---- lending ------------------------------------------------------- */

/* Lends w a connection if one may be had now: 0, else -1. */
static int try_lend(struct pool *p, struct pool_host *h, struct pool_wait *w)
{
    struct pool_conn *shared = NULL;
    for (struct pool_conn *c = h->conns; c != NULL; c = c->next)
        if (c->lent == 0 && c->fd >= 0 && !c->broken) {
            lend(p, c, w);            /* idle: the most recently used */
            return 0;
        }
    if (h->n_conns < p->max) {
        struct pool_conn *c = conn_new(p, h);
        if (c == NULL)
            return -1;
        lend(p, c, w);                /* (told when the dial ends, or soon if it failed) */
        return 0;
    }
    for (struct pool_conn *c = h->conns; c != NULL; c = c->next)
        if (!c->broken && c->err == NULL && c->lent < p->pipeline
            && (shared == NULL || c->lent < shared->lent))
            shared = c;               /* pipelining: the least loaded */
    if (shared == NULL)
        return -1;
    lend(p, shared, w);
    return 0;
}

static void serve_queue(struct pool *p, struct pool_host *h)
{
    while (h->queue != NULL) {
        struct pool_wait *w = h->queue;
        h->queue = w->next;
        w->host = NULL;
        if (try_lend(p, h, w) < 0) {  /* still none: back to the front */
            w->next = h->queue;
            w->host = h;
            h->queue = w;
            if (h->queue_last == NULL || w->next == NULL)
                h->queue_last = w;
            return;
        }
    }
    h->queue_last = NULL;
}

/* ---- the API ------------------------------------------------------- */

static struct pool_host *host_find(struct pool *p, const char *name, int port)
{
    for (struct pool_host *h = p->hosts; h != NULL; h = h->next)
        if (h->port == port && strcmp(h->name, name) == 0)
            return h;
    struct pool_host *h = calloc(1, sizeof *h);
    if (h == NULL || (h->name = strdup(name)) == NULL) {
        free(h);
        return NULL;
    }
    h->pool = p;
    h->port = port;
    h->next = p->hosts;
    p->hosts = h;
    return h;
}

int pool_get(struct pool *p, const char *host, int port, struct pool_wait *w, pool_fn *fn,
             void *arg)
{
    struct pool_host *h = host_find(p, host, port);
    if (h == NULL)
        return -1;
    *w = (struct pool_wait){ .fn = fn, .arg = arg };
    if (h->queue == NULL && try_lend(p, h, w) == 0)
        return 0;
    w->host = h;                      /* every connection busy: wait in turn */
    if (h->queue == NULL)
        h->queue = w;
    else
        h->queue_last->next = w;
    h->queue_last = w;
    return 0;
}

void pool_put(struct pool *p, struct pool_conn *c, int reusable)
{
    struct pool_host *h = c->host;
    c->lent--;
    c->broken |= !reusable;
    if (c->lent == 0 && c->broken)
        conn_close(p, c);
    else if (c->lent == 0)
        make_idle(p, c);
    serve_queue(p, h);
}

void pool_cancel(struct pool *p, struct pool_wait *w)
{
    if (w->host != NULL) {            /* waiting in the queue */
        struct pool_host *h = w->host;
        struct pool_wait *prev = NULL;
        for (struct pool_wait *at = h->queue; at != w; prev = at, at = at->next)
            ;
        *(prev ? &prev->next : &h->queue) = w->next;
        if (h->queue_last == w)
            h->queue_last = prev;
        w->host = NULL;
    } else if (w->conn != NULL) {     /* lent, not told yet */
        struct pool_conn *c = w->conn;
        struct pool_wait *prev = NULL;
        for (struct pool_wait *at = c->given; at != w; prev = at, at = at->next)
            ;
        *(prev ? &prev->next : &c->given) = w->next;
        if (c->given_last == w)
            c->given_last = prev;
        struct pool_host *h = c->host;
        w->conn = NULL;
        c->uses--;
        if (--c->lent == 0 && c->fd >= 0 && c->err == NULL) {
            reactor_cancel(p->reactor, &c->tell);
            make_idle(p, c);
        }
        serve_queue(p, h);
    }
}

void pool_free(struct pool *p)
{
    while (p->hosts != NULL) {
        struct pool_host *h = p->hosts;
        while (h->conns != NULL)
            conn_close(p, h->conns);
        p->hosts = h->next;
        free(h->name);
        free(h);
    }
    free(p);
}
