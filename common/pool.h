/* pool: connections kept open for reuse, per host:port, on the reactor
 * (chapter 15). At most `max` connections to a host at once; an idle one
 * is reused before a new one is dialled (the most recently used first, as
 * urllib3's pool does); with a pipeline depth K > 1 a busy connection is
 * lent again until K users share it, once no new one may be dialled; when
 * every connection is busy, asks wait in order for the next one given back.
 * An idle connection that turns readable was closed (or spoken to) by the
 * server: the pool closes it at once.
 * Left out: an idle timeout of our own, a limit across hosts, proxies, TLS.
 */
#ifndef WAITLESS_POOL_H
#define WAITLESS_POOL_H

#include "dial.h"
#include "reactor.h"

struct pool;
struct pool_host;
struct pool_wait;

/* One connection of the pool. The pool owns the fd (and closes it); while
 * lent, the users watch it with handlers of their own. */
struct pool_conn {
    int fd;                       /* -1 while dialling */
    long uses;                    /* how many times it was lent: above 1, reused */
    int lent;                     /* users now */
    void *user;                   /* the users' own, NULL when new; see pool_new */
    /* private to pool.c */
    struct pool_host *host;
    struct pool_conn *next;       /* the host's list */
    struct dial *dial;
    struct pool_wait *given, *given_last;   /* lent, not told yet: told in order */
    struct timer tell;
    int broken;                   /* given back unusable: never lent again */
    char *err;                    /* the dial failed: why */
};

/* Called once per ask, from the loop (never inside pool_get): conn is
 * lent to you, or NULL and err says why (the dial failed). Give it back
 * with pool_put. */
typedef void pool_fn(struct reactor *r, struct pool_conn *conn, const char *err, void *arg);

/* An ask: storage the caller owns (as a struct timer), valid until its
 * fn runs or it is cancelled. */
struct pool_wait {
    pool_fn *fn;
    void *arg;
    struct pool_wait *next;
    struct pool_host *host;       /* set while waiting in its host's queue */
    struct pool_conn *conn;       /* set while lent but not yet told */
};

/* A pool of at most max_per_host connections per host, each lent to at
 * most `pipeline` users at once (1: no pipelining). on_close, if not NULL,
 * is called for a connection's user data before the pool closes it.
 * NULL with errno (ENOMEM, EINVAL). */
struct pool *pool_new(struct reactor *r, int max_per_host, int pipeline,
                      void (*on_close)(struct pool_conn *));

/* Asks for a connection to host:port; w->fn(r, conn, err, arg) runs later.
 * 0, or -1 with errno (ENOMEM). */
int pool_get(struct pool *p, const char *host, int port, struct pool_wait *w, pool_fn *fn,
             void *arg);

/* Gives a lent connection back: reusable (the response ended cleanly and
 * the server keeps it) or not (closed once its last user gives it back).
 * Unwatch it first: the pool watches an idle one itself. */
void pool_put(struct pool *p, struct pool_conn *c, int reusable);

/* Withdraws an ask whose fn has not run; a no-op after it ran. */
void pool_cancel(struct pool *p, struct pool_wait *w);

/* How many connections were opened (dialled with success) so far. */
long pool_connects(const struct pool *p);

/* Closes every connection (their on_close first) and frees the pool. */
void pool_free(struct pool *p);

#endif
