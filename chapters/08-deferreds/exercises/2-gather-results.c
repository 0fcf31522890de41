/* Exercise 08.2: gather_results (exercises/2-gather-results.md), Twisted's
 * gatherResults: all the results, or the first failure, at once.
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

/* TODO: fire the callback with an array of the n results (in order) when
 * all have succeeded, or the errback with the first error as soon as one
 * fails. For now it waits for all, and calls everything a result. */
static struct outcome outcomes_to_results(void *outcomes, void *n)
{
    struct outcome *each = outcomes;
    void **results = malloc((size_t)*(int *)n * sizeof *results);
    for (int i = 0; results != NULL && i < *(int *)n; i++)
        results[i] = each[i].value;
    free(outcomes);
    return deferred_ok(results);
}

static struct deferred *gather_results(struct deferred **ds, int n)
{
    static int count;
    count = n;
    struct deferred *all = deferred_gather(ds, n);
    if (all != NULL)
        deferred_add_callbacks(all, outcomes_to_results, NULL, &count);
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
