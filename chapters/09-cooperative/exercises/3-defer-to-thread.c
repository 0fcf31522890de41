/* Exercise 09.3: defer_to_thread (exercises/3-defer-to-thread.md): run a
 * function in a thread and get its result back on the reactor.
 * Left out: a thread pool (Twisted's has 10 threads), cancellation.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "reactor.h"
#include "timeline.h"

#define HEARTBEAT 0.050
static struct timer beat;      /* the heartbeat's timer */

typedef long job_fn(long arg);
typedef void job_done_fn(long result, void *done_arg);

/* Runs fn(arg) in a new thread; calls done(result, done_arg) from a
 * reactor handler once it has returned. 0, or -1 with errno. */
static int defer_to_thread(struct reactor *r, job_fn *fn, long arg, job_done_fn *done,
                           void *done_arg)
{
    (void)r;   /* TODO: a thread (for now fn runs on the loop itself) */
    done(fn(arg), done_arg);
    return 0;
}

static long count_primes(long limit)
{
    long count = 0;
    for (long n = 2; n < limit; n++) {
        int prime = 1;
        for (long d = 2; d * d <= n && prime; d++)
            prime = n % d != 0;
        count += prime;
    }
    return count;
}

struct state {
    int jobs_left;
    double last_beat, worst_lateness;
    long limits[2];
};

static struct state state = { 2, 0, 0, { 2000000, 1000000 } };

/* A job's done function: report; the heartbeat stops after the last one. */
static void report(long result, void *limit)
{
    printf("job %ld: %ld primes\n", *(long *)limit, result);
    state.jobs_left--;
}

static void heartbeat(struct reactor *r, void *arg)
{
    struct state *s = arg;
    double now = timeline_now(), lateness = now - (s->last_beat + HEARTBEAT);
    if (lateness > s->worst_lateness)
        s->worst_lateness = lateness;
    s->last_beat = now;
    if (s->jobs_left > 0 && reactor_call_later(r, &beat, HEARTBEAT, heartbeat, s) < 0)
        perror("reactor_call_later");
}

int main(void)
{
    struct reactor *r = reactor_new();
    if (r == NULL)
        return 1;
    state.last_beat = timeline_now();
    if (reactor_call_later(r, &beat, HEARTBEAT, heartbeat, &state) < 0)
        return 1;
    for (int i = 0; i < 2; i++)
        if (defer_to_thread(r, count_primes, state.limits[i], report, &state.limits[i]) < 0) {
            perror("defer_to_thread");
            return 1;
        }
    reactor_run(r);
    printf("worst lateness %.3f s\n", state.worst_lateness);
    reactor_free(r);
    return 0;
}
