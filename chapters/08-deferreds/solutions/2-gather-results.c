/* Solution 2 (chapter 08): gather_results, Twisted's gatherResults: all
 * the results, or the first failure, at once.
 * Left out: real work; the values are constant strings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deferred.h"
#include "reactor.h"
#include "timeline.h"

#define MAX_DEFERREDS 16

static double t0;
static int n_deferreds;

/* The gather: alive until the last deferred has fired. */
struct gather {
    struct deferred *all;
    void **results;
    int pending, failed;
    struct slot { struct gather *gather; int index; } *slots;
};

static struct outcome take(struct slot *slot, struct outcome value)
{
    struct gather *g = slot->gather;
    if (!value.failed)
        g->results[slot->index] = value.value;
    if (value.failed && !g->failed) {
        g->failed = 1;
        deferred_errback(g->all, value.value);      /* fail fast */
    }
    /* After a failure the other values are dropped: constant strings here;
     * values that own memory would be freed at this point. */
    if (--g->pending == 0) {
        if (!g->failed)
            deferred_callback(g->all, g->results);  /* the chain owns them now */
        else
            free(g->results);
        free(g->slots);
        free(g);
    }
    return deferred_ok(NULL);
}

/* kit: deferred.c#take_result() */
static struct outcome take_result(void *result, void *slot)
{
    return take(slot, deferred_ok(result));
}
/* end kit */

/* kit: deferred.c#take_failure() */
static struct outcome take_failure(void *error, void *slot)
{
    return take(slot, deferred_fail(error));
}
/* end kit */

/* Fires the callback with an array of the n results (in order) when all
 * have succeeded, or the errback with the first error as soon as one
 * fails. NULL when out of memory. */
static struct deferred *gather_results(struct deferred **ds, int n)
{
    struct gather *g = calloc(1, sizeof *g);
    struct deferred *all = deferred_new();
    void **results = calloc((size_t)n, sizeof *results);
    struct slot *slots = calloc((size_t)n, sizeof *slots);
    if (g == NULL || all == NULL || results == NULL || slots == NULL) {
        free(g);
        deferred_free(all);
        free(results);
        free(slots);
        return NULL;
    }
    *g = (struct gather){ all, results, n, 0, slots };
    for (int i = 0; i < n; i++) {
        slots[i] = (struct slot){ g, i };
        if (deferred_add_callbacks(ds[i], take_result, take_failure, &slots[i]) < 0)
            abort();   /* out of memory halfway, as in deferred_gather */
    }
    return all;
}

static struct outcome print_results(void *results, void *arg)
{
    char **each = results;
    (void)arg;
    printf("results: ");
    for (int i = 0; i < n_deferreds; i++)
        printf("%s%s", i ? ", " : "", each[i]);
    printf(" (at %.2f s)\n", timeline_now() - t0);
    free(results);
    return deferred_ok(NULL);
}

static struct outcome print_failure(void *error, void *arg)
{
    (void)arg;
    printf("failure: %s (at %.2f s)\n", (char *)error, timeline_now() - t0);
    return deferred_ok(NULL);
}

struct firing {
    struct deferred *d;
    struct timer timer;
    int fail;
    char value[32];
};

static void fire(struct reactor *r, void *arg)
{
    struct firing *f = arg;
    (void)r;
    if (f->fail)
        deferred_errback(f->d, f->value);
    else
        deferred_callback(f->d, f->value);
}

int main(int argc, char **argv)
{
    struct deferred *ds[MAX_DEFERREDS];
    struct firing firings[MAX_DEFERREDS] = { 0 };   /* zeroed: idle timers */
    double after[MAX_DEFERREDS];
    char kind[8];
    n_deferreds = argc - 1;
    if (n_deferreds < 1 || n_deferreds > MAX_DEFERREDS) {
        fprintf(stderr, "usage: %s ok:SECONDS|fail:SECONDS ... (1 to %d)\n", argv[0], MAX_DEFERREDS);
        return 2;
    }
    for (int i = 0; i < n_deferreds; i++)
        if (sscanf(argv[i + 1], "%7[a-z]:%lf", kind, &after[i]) != 2 || after[i] < 0
            || (strcmp(kind, "ok") != 0 && strcmp(kind, "fail") != 0)) {
            fprintf(stderr, "%s: bad spec '%s' (want ok:S or fail:S)\n", argv[0], argv[i + 1]);
            return 2;
        } else {
            firings[i].fail = strcmp(kind, "fail") == 0;
            snprintf(firings[i].value, sizeof firings[i].value, "%s %d",
                     firings[i].fail ? "error" : "result", i);
        }
    t0 = timeline_now();
    struct reactor *r = reactor_new();
    if (r == NULL)
        return 1;
    for (int i = 0; i < n_deferreds; i++) {
        if ((ds[i] = deferred_new()) == NULL)
            return 1;
        firings[i].d = ds[i];
        if (reactor_call_later(r, &firings[i].timer, after[i], fire, &firings[i]) < 0)
            return 1;
    }
    struct deferred *all = gather_results(ds, n_deferreds);
    if (all == NULL || deferred_add_callbacks(all, print_results, print_failure, NULL) < 0)
        return 1;
    reactor_run(r);
    for (int i = 0; i < n_deferreds; i++)
        deferred_free(ds[i]);
    deferred_free(all);
    reactor_free(r);
    return 0;
}
