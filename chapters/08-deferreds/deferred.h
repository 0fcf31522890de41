/* deferred: a promise of one result or one failure, with a chain of
 * callback/errback stages that run when it arrives: Twisted's Deferred,
 * in C, without the garbage collector.
 *
 * The chain rules (chain.c shows each one running):
 * - Stages run in the order they were added. A stage is a pair
 *   (callback, errback); exactly one of the two runs: the callback when the
 *   value so far is a result, the errback when it is a failure.
 * - Whatever a stage returns goes to the next stage: deferred_ok(v) goes to
 *   the next callback, deferred_fail(e) to the next errback. So a callback
 *   that fails skips to the next errback, and an errback that returns a
 *   result "recovers": the next callback runs. A NULL function passes the
 *   value on untouched.
 * - A deferred fires once: deferred_callback or deferred_errback. Firing
 *   it again is a programming error: a message on stderr, -1 with errno
 *   EALREADY, and the deferred is left as it was.
 * - Stages added after it fired run at once, inside deferred_add_callbacks.
 * - deferred_gather(ds, n) gives a deferred that fires when all n have
 *   fired, with every result and failure, in order (Twisted's DeferredList).
 *
 * Ownership:
 * - Values (results and failures) belong to the chain: each stage owns the
 *   value it is given, and must free it or return it. The deferred itself
 *   never frees a value; the last stage must leave nothing behind.
 * - The one who created the deferred (deferred_new, or a function such as
 *   fetch_page that returns one) frees it with deferred_free, after it has
 *   fired and nobody will fire it again. Freeing a deferred whose chain
 *   ended in a failure reports "unhandled failure" on stderr, as Twisted
 *   does when such a Deferred is garbage-collected.
 * Left out: callbacks that return a deferred (chaining), cancellation,
 * timeouts (exercise 1), threads (one thread, like the reactor).
 */
#ifndef WAITLESS_DEFERRED_H
#define WAITLESS_DEFERRED_H

/* What flows down a chain: a result, or a failure. */
struct outcome {
    void *value;   /* the result, or the error when failed */
    int failed;
};

static inline struct outcome deferred_ok(void *result)
{
    return (struct outcome){ result, 0 };
}

static inline struct outcome deferred_fail(void *error)
{
    return (struct outcome){ error, 1 };
}

/* A callback gets the result, an errback the error; both return what the
 * next stage gets. */
typedef struct outcome deferred_fn(void *value, void *arg);

struct deferred;

/* NULL with errno on failure. */
struct deferred *deferred_new(void);

/* Adds one stage; either function may be NULL (pass through). Runs it at
 * once if the deferred has fired. 0, or -1 with errno (ENOMEM). */
int deferred_add_callbacks(struct deferred *d, deferred_fn *callback,
                           deferred_fn *errback, void *arg);

/* Fire with a result or with an error: runs the chain so far. 0, or -1 when
 * the deferred had fired already (reported on stderr, errno EALREADY). */
int deferred_callback(struct deferred *d, void *result);
int deferred_errback(struct deferred *d, void *error);

/* 1 once fired. */
int deferred_has_fired(const struct deferred *d);

/* A deferred that fires (never fails) once all n have fired, with a
 * malloc'd array of n outcomes in order: each deferred's final value,
 * taken from its chain (its chain goes on with a NULL result). Add your own
 * stages to ds[i] before gathering. The array is the gathered chain's
 * value: whoever ends that chain frees it and what it holds. The gathered
 * deferred belongs to the caller; ds stay theirs too. NULL on failure. */
struct deferred *deferred_gather(struct deferred **ds, int n);

void deferred_free(struct deferred *d);

#endif
