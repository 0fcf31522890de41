/* deferred: the chain of stages and the rules of deferred.h, in about a
 * hundred lines. The whole trick is run_chain: a loop that hands the
 * current outcome to the callback or the errback of the next stage.
 * Left out: everything deferred.h lists as left out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "deferred.h"

struct stage {
    deferred_fn *callback, *errback;
    void *arg;
};

struct deferred {
    struct stage *stages;
    int n_stages, capacity;
    int next;                /* the first stage that has not run */
    int fired;
    int running;             /* run_chain is on the stack: do not re-enter */
    struct outcome current;  /* the value so far, once fired */
};

struct deferred *deferred_new(void)
{
    return calloc(1, sizeof(struct deferred));
}

int deferred_has_fired(const struct deferred *d)
{
    return d->fired;
}

/* Runs every stage not yet run. A stage may add stages: the loop sees them. */
static void run_chain(struct deferred *d)
{
    if (d->running)
        return;
    d->running = 1;
    while (d->next < d->n_stages) {
        struct stage s = d->stages[d->next++];
        deferred_fn *fn = d->current.failed ? s.errback : s.callback;
        if (fn != NULL)
            d->current = fn(d->current.value, s.arg);   /* ok or fail: next stage */
    }
    d->running = 0;
}

int deferred_add_callbacks(struct deferred *d, deferred_fn *callback,
                           deferred_fn *errback, void *arg)
{
    if (d->n_stages == d->capacity) {
        int capacity = d->capacity ? 2 * d->capacity : 4;
        struct stage *stages = realloc(d->stages, (size_t)capacity * sizeof *stages);
        if (stages == NULL)
            return -1;
        d->stages = stages;
        d->capacity = capacity;
    }
    d->stages[d->n_stages++] = (struct stage){ callback, errback, arg };
    if (d->fired)
        run_chain(d);   /* late stages run at once */
    return 0;
}

static int fire(struct deferred *d, struct outcome first, const char *how)
{
    if (d->fired) {
        fprintf(stderr, "%s: this deferred has fired already (a deferred fires once)\n", how);
        errno = EALREADY;
        return -1;
    }
    d->fired = 1;
    d->current = first;
    run_chain(d);
    return 0;
}

int deferred_callback(struct deferred *d, void *result)
{
    return fire(d, deferred_ok(result), "deferred_callback");
}

int deferred_errback(struct deferred *d, void *error)
{
    return fire(d, deferred_fail(error), "deferred_errback");
}

void deferred_free(struct deferred *d)
{
    if (d == NULL)
        return;
    if (d->fired && d->current.failed)
        fprintf(stderr, "deferred: unhandled failure at the end of the chain "
                        "(no errback took it)\n");
    free(d->stages);
    free(d);
}

/* ---- gather ------------------------------------------------------------ */

struct gather {
    struct deferred *all;     /* fires when pending reaches 0 */
    struct outcome *outcomes;
    int pending;
    struct gather_slot {      /* the arg of the stage added to ds[i] */
        struct gather *gather;
        int index;
    } *slots;
};

/* The last stage of every gathered deferred: takes its value, either kind. */
static struct outcome take(struct gather_slot *slot, struct outcome value)
{
    struct gather *g = slot->gather;
    g->outcomes[slot->index] = value;
    if (--g->pending == 0) {
        struct deferred *all = g->all;
        struct outcome *outcomes = g->outcomes;
        free(g->slots);       /* slot points into it: done with it now */
        free(g);
        deferred_callback(all, outcomes);
    }
    return deferred_ok(NULL);
}

static struct outcome take_result(void *result, void *slot)
{
    return take(slot, deferred_ok(result));
}

static struct outcome take_failure(void *error, void *slot)
{
    return take(slot, deferred_fail(error));
}

struct deferred *deferred_gather(struct deferred **ds, int n)
{
    struct gather *g = calloc(1, sizeof *g);
    struct deferred *all = deferred_new();
    struct outcome *outcomes = calloc((size_t)n + 1, sizeof *outcomes);
    struct gather_slot *slots = calloc((size_t)n + 1, sizeof *slots);
    if (g == NULL || all == NULL || outcomes == NULL || slots == NULL) {
        free(g);
        free(all);
        free(outcomes);
        free(slots);
        return NULL;
    }
    *g = (struct gather){ all, outcomes, n, slots };
    if (n == 0) {
        free(slots);
        free(g);
        deferred_callback(all, outcomes);
        return all;
    }
    for (int i = 0; i < n; i++) {
        slots[i] = (struct gather_slot){ g, i };
        if (deferred_add_callbacks(ds[i], take_result, take_failure, &slots[i]) < 0) {
            fprintf(stderr, "deferred_gather: out of memory halfway\n");
            abort();   /* some ds already point at g: no sane way back */
        }
    }
    return all;
}
