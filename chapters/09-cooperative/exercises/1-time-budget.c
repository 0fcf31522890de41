/* Exercise 09.1: a cooperative task that yields by a time budget
 * (exercises/1-time-budget.md): each turn, tiny steps while BUDGET lasts.
 * Left out: fetches; the heartbeat is the probe.
 */
#include <stdio.h>

#include "cooperate.h"
#include "reactor.h"
#include "timeline.h"

#define HEARTBEAT 0.050
static struct timer beat;      /* the heartbeat's timer */
#define BUDGET 0.005           /* seconds of steps per turn */
#define NUMBERS_PER_STEP 50

struct work {
    long next, limit, count, steps, turns;
    int done;
    double last_beat, worst_lateness;
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

/* One tiny step: 50 numbers. COOP_DONE when all are tested. */
static enum coop_step tiny_step(struct work *w)
{
    w->steps++;
    for (long end = w->next + NUMBERS_PER_STEP; w->next < end && w->next < w->limit; w->next++)
        w->count += is_prime(w->next);
    return w->next < w->limit ? COOP_MORE : COOP_DONE;
}

/* One turn: tiny steps until done or BUDGET seconds have passed. */
static enum coop_step budget_step(void *arg)
{
    struct work *w = arg;
    w->turns++;
    return tiny_step(w);   /* TODO: more steps, while BUDGET lasts */
}

static void work_done(enum coop_end how, void *arg)
{
    struct work *w = arg;
    (void)how;
    w->done = 1;
}

static void heartbeat(struct reactor *r, void *arg)
{
    struct work *w = arg;
    double now = timeline_now(), lateness = now - (w->last_beat + HEARTBEAT);
    if (lateness > w->worst_lateness)
        w->worst_lateness = lateness;
    w->last_beat = now;
    if (!w->done && reactor_call_later(r, &beat, HEARTBEAT, heartbeat, w) < 0)
        perror("reactor_call_later");
}

int main(void)
{
    struct work w = { .limit = 2000000, .last_beat = timeline_now() };
    struct reactor *r = reactor_new();
    struct coop_task *task = r ? cooperate(r, budget_step, &w) : NULL;
    if (task == NULL || reactor_call_later(r, &beat, HEARTBEAT, heartbeat, &w) < 0) {
        perror("time-budget");
        return 1;
    }
    coop_when_done(task, work_done, &w);
    reactor_run(r);
    printf("primes %ld, %ld steps in %ld turns, worst lateness %.3f s\n",
           w.count, w.steps, w.turns, w.worst_lateness);
    coop_free(task);
    reactor_free(r);
    return 0;
}
