/* Exercise 08.1: deferred_timeout (exercises/1-deferred-timeout.md): a
 * deferred that fires late, and a timeout that should fail it first.
 * Left out: everything but the timeout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deferred.h"
#include "reactor.h"
#include "timeline.h"

static double t0;

/* TODO: if nothing fires d within `seconds`, errback it with a malloc'd
 * "timed out after S.SS s"; if something fires it first, cancel the timer.
 * 0, or -1 when out of memory. */
static int deferred_timeout(struct reactor *r, struct deferred *d, double seconds)
{
    (void)r, (void)d, (void)seconds;
    return 0;
}

static struct outcome print_result(void *result, void *arg)
{
    (void)arg;
    printf("result: %s (at %.2f s)\n", (char *)result, timeline_now() - t0);
    return deferred_ok(NULL);
}

static struct outcome print_failure(void *error, void *arg)
{
    (void)arg;
    printf("failure: %s (at %.2f s)\n", (char *)error, timeline_now() - t0);
    free(error);
    return deferred_ok(NULL);
}

/* The slow producer: fires d, unless something fired it already. */
static void fire_later(struct reactor *r, void *d)
{
    (void)r;
    if (!deferred_has_fired(d))
        deferred_callback(d, "done");
}

static struct timer firing;   /* fires d after fire_after s */

int main(int argc, char **argv)
{
    double fire_after = 0, timeout;
    int now = argc == 3 && strcmp(argv[1], "now") == 0;   /* fired before the timeout */
    if (argc != 3 || (!now && (sscanf(argv[1], "%lf", &fire_after) != 1 || fire_after < 0))
        || sscanf(argv[2], "%lf", &timeout) != 1 || timeout < 0) {
        fprintf(stderr, "usage: %s FIRE_AFTER|now TIMEOUT (seconds)\n", argv[0]);
        return 2;
    }
    t0 = timeline_now();
    struct reactor *r = reactor_new();
    struct deferred *d = deferred_new();
    if (r == NULL || d == NULL
        || (now ? deferred_callback(d, "done") < 0
                : reactor_call_later(r, &firing, fire_after, fire_later, d) < 0)
        || deferred_timeout(r, d, timeout) < 0
        || deferred_add_callbacks(d, print_result, print_failure, NULL) < 0) {
        perror("deferred_timeout");
        return 1;
    }
    reactor_run(r);
    printf("reactor done at %.2f s\n", timeline_now() - t0);
    deferred_free(d);
    reactor_free(r);
    return 0;
}
