/* cooperate: a task is a step function and a timer. The timer calls one
 * step; if there is more to do and nobody paused or stopped the task, the
 * step's turn schedules the next one with reactor_call_soon: "after the
 * loop has looked at everything else". The talk's callLater(0.1, do_later)
 * loop, with no delay.
 * Left out: see cooperate.h.
 */
#include <errno.h>
#include <stdlib.h>

#include "cooperate.h"

struct coop_task {
    struct reactor *reactor;
    coop_step_fn *step;
    void *arg;
    coop_done_fn *done;
    void *done_arg;
    struct timer next_step;    /* pending while it runs and is not paused */
    int paused;                /* how many pauses are not yet resumed */
    int ended;
};

static void end(struct coop_task *t, enum coop_end how)
{
    t->ended = 1;
    reactor_cancel(t->reactor, &t->next_step);
    if (t->done != NULL)
        t->done(how, t->done_arg);
}

static void one_step(struct reactor *r, void *arg);

static int schedule(struct coop_task *t)
{
    return reactor_call_soon(t->reactor, &t->next_step, one_step, t);
}

static void one_step(struct reactor *r, void *arg)
{
    struct coop_task *t = arg;
    (void)r;
    enum coop_step more = t->step(t->arg);   /* a little work, then back to the loop */
    if (t->ended)                        /* the step stopped it: done was called */
        return;
    if (more == COOP_DONE)
        end(t, COOP_FINISHED);
    else if (t->paused == 0 && !reactor_pending(&t->next_step) && schedule(t) < 0)
        end(t, COOP_STOPPED);            /* out of memory: cannot go on */
}

struct coop_task *cooperate(struct reactor *r, coop_step_fn *step, void *arg)
{
    struct coop_task *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    *t = (struct coop_task){ .reactor = r, .step = step, .arg = arg };
    if (schedule(t) < 0) {
        free(t);
        return NULL;
    }
    return t;
}

void coop_when_done(struct coop_task *t, coop_done_fn *done, void *arg)
{
    t->done = done;
    t->done_arg = arg;
}

int coop_pause(struct coop_task *t)
{
    if (t->ended) {
        errno = EINVAL;
        return -1;
    }
    if (t->paused++ == 0)
        reactor_cancel(t->reactor, &t->next_step);
    return 0;
}

int coop_resume(struct coop_task *t)
{
    if (t->ended || t->paused == 0) {
        errno = EINVAL;
        return -1;
    }
    if (--t->paused == 0 && schedule(t) < 0) {
        t->paused = 1;
        return -1;
    }
    return 0;
}

int coop_stop(struct coop_task *t)
{
    if (t->ended) {
        errno = EINVAL;
        return -1;
    }
    end(t, COOP_STOPPED);
    return 0;
}

void coop_free(struct coop_task *t)
{
    if (t == NULL)
        return;
    reactor_cancel(t->reactor, &t->next_step);
    free(t);
}
