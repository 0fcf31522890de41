/* Exercise 07.1: call_every, a repeating timer on top of reactor_call_later,
 * and call_every_cancel, which works from inside and outside the callback
 * (exercises/1-call-every.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "reactor.h"
#include "timeline.h"

struct every {
    struct reactor *reactor;
    double interval;
    timer_fn *fn;
    void *arg;
    struct timer timer;         /* the pending call_later */
};

static void every_fire(struct reactor *r, void *arg)
{
    struct every *e = arg;
    e->fn(r, e->arg);
    /* TODO: call again, `interval` after this one was due */
}

/* Calls fn(r, arg) every `interval` seconds until call_every_cancel. */
static struct every *call_every(struct reactor *r, double interval, timer_fn *fn, void *arg)
{
    struct every *e = malloc(sizeof *e);
    if (e == NULL)
        return NULL;
    *e = (struct every){ .reactor = r, .interval = interval, .fn = fn, .arg = arg };
    if (reactor_call_later(r, &e->timer, interval, every_fire, e) < 0) {
        free(e);
        return NULL;
    }
    return e;
}

/* Stops e for good and frees it; safe from inside e's own callback. */
static void call_every_cancel(struct reactor *r, struct every *e)
{
    (void)r, (void)e;   /* TODO */
}

/* ---- the demonstration: do not change below this line ---------------- */

static double t0;
static double work;             /* argv[1]: seconds (< 1) each tick spends */
static struct every *tick, *tock;

/* A tick that takes time: what makes a timer re-armed from "now" drift. */
static void do_work(void)
{
    if (work > 0)
        nanosleep(&(struct timespec){ .tv_nsec = (long)(work * 1e9) }, NULL);
}

static void on_tick(struct reactor *r, void *arg)
{
    int *count = arg;
    printf("tick %d at %.2f\n", ++*count, timeline_now() - t0);
    do_work();
    if (*count == 3)
        call_every_cancel(r, tick);            /* from inside its own callback */
}

static void on_tock(struct reactor *r, void *arg)
{
    int *count = arg;
    (void)r;
    printf("tock %d at %.2f\n", ++*count, timeline_now() - t0);
}

static void stop_tock(struct reactor *r, void *arg)
{
    (void)arg;
    printf("cancel tock at %.2f\n", timeline_now() - t0);
    call_every_cancel(r, tock);                /* from outside */
}

static struct timer stopper;   /* cancels tock at 0.5 s */

int main(int argc, char **argv)
{
    int ticks = 0, tocks = 0;
    work = argc > 1 ? atof(argv[1]) : 0;
    struct reactor *r = reactor_new();
    if (r == NULL)
        return 1;
    t0 = timeline_now();
    tick = call_every(r, 0.1, on_tick, &ticks);
    tock = call_every(r, 0.15, on_tock, &tocks);
    if (tick == NULL || tock == NULL || reactor_call_later(r, &stopper, 0.5, stop_tock, NULL) < 0) {
        perror("call_every");
        return 1;
    }
    reactor_run(r);                            /* returns when nothing is left */
    printf("run returned at %.2f: %d ticks, %d tocks\n", timeline_now() - t0, ticks, tocks);
    reactor_free(r);
    return 0;
}
