/* cooperate: long work on the reactor, in small steps, as Twisted's
 * task.cooperate does. Each step is one timer event; between two steps the
 * reactor waits for fds and runs other timers, so a long job never holds
 * the loop for longer than one step.
 *
 * Rules:
 * - step(arg) does a little work and returns COOP_MORE, or COOP_DONE when
 *   the work is finished. It runs from the reactor, one step per turn.
 * - coop_pause stops the steps until coop_resume; pauses count (two pauses
 *   need two resumes). coop_stop ends the task for good.
 * - The done function (coop_when_done) is called once: COOP_FINISHED when
 *   a step returned COOP_DONE, COOP_STOPPED after coop_stop.
 * - pause, resume and stop return -1 with errno EINVAL when they make no
 *   sense: resume when not paused, anything once the task has ended.
 * - The caller owns the task and frees it with coop_free, after it ended or
 *   to abandon it (then nothing more is called, done included).
 * Left out: Twisted's Cooperator (several tasks sharing one time budget),
 * the step's return value, yielding deferreds.
 */
#ifndef WAITLESS_COOPERATE_H
#define WAITLESS_COOPERATE_H

#include "reactor.h"

enum coop_step { COOP_DONE = 0, COOP_MORE = 1 };
enum coop_end { COOP_FINISHED, COOP_STOPPED };

typedef enum coop_step coop_step_fn(void *arg);
typedef void coop_done_fn(enum coop_end how, void *arg);

struct coop_task;

/* Starts calling step(arg), one step per turn of the loop, from the next
 * turn on. NULL with errno on failure. */
struct coop_task *cooperate(struct reactor *r, coop_step_fn *step, void *arg);

/* Calls done(how, arg) when the task ends. */
void coop_when_done(struct coop_task *t, coop_done_fn *done, void *arg);

int coop_pause(struct coop_task *t);
int coop_resume(struct coop_task *t);
int coop_stop(struct coop_task *t);

void coop_free(struct coop_task *t);

#endif
