/* Exercise 09.2: stop cooperative work at a deadline
 * (exercises/2-deadline.md): --deadline S stops it after S seconds.
 * Left out: resuming stopped work.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cooperate.h"
#include "reactor.h"
#include "timeline.h"

struct work {
    struct reactor *reactor;
    struct coop_task *task;
    struct timer deadline;     /* pending until it fires or is cancelled */
    long next, limit, count;
    double start;
};

/* kit: coop.c#is_prime() */
static int is_prime(long n)
{
    if (n < 2)
        return 0;
    for (long d = 2; d * d <= n; d++)
        if (n % d == 0)
            return 0;
    return 1;
}
/* end kit */

static enum coop_step primes_step(void *arg)
{
    struct work *w = arg;
    for (long end = w->next + 1000; w->next < end && w->next < w->limit; w->next++)
        w->count += is_prime(w->next);
    return w->next < w->limit ? COOP_MORE : COOP_DONE;
}

static void work_done(enum coop_end how, void *arg)
{
    struct work *w = arg;
    printf("%s: %ld primes below %ld after %.2f s\n", how == COOP_FINISHED ? "finished" : "stopped",
           w->count, w->next, timeline_now() - w->start);
}

int main(int argc, char **argv)
{
    struct work w = { .limit = 1000000 };
    double deadline = 0;
    for (int i = 1; i < argc; i += 2) {
        char *end;
        if (i + 1 < argc && strcmp(argv[i], "--limit") == 0)
            w.limit = strtol(argv[i + 1], &end, 10);
        else if (i + 1 < argc && strcmp(argv[i], "--deadline") == 0)
            deadline = strtod(argv[i + 1], &end);
        else {
            fprintf(stderr, "usage: %s [--limit N] [--deadline S]\n", argv[0]);
            return 2;
        }
        if (*end != '\0' || w.limit < 1 || deadline < 0) {
            fprintf(stderr, "%s: bad value '%s'\n", argv[0], argv[i + 1]);
            return 2;
        }
    }
    w.start = timeline_now();
    w.reactor = reactor_new();
    if (w.reactor == NULL || (w.task = cooperate(w.reactor, primes_step, &w)) == NULL) {
        perror("deadline");
        return 1;
    }
    coop_when_done(w.task, work_done, &w);
    /* TODO: --deadline S: the work stops after S seconds (w.deadline) */
    reactor_run(w.reactor);
    printf("exited after %.2f s\n", timeline_now() - w.start);
    coop_free(w.task);
    reactor_free(w.reactor);
    return 0;
}
