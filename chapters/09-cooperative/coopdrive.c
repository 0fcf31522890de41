/* coopdrive: drives a cooperative task through pause, resume and stop at
 * given times, and prints what each call returned and how many steps had
 * run, so that tests can check the rules of cooperate.h.
 *   coopdrive STEPS [T:ACTION]...     ACTION: pause, resume or stop
 * The task does STEPS steps of nothing (one per turn of the loop), then ends.
 * Left out: timing figures (see coop).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cooperate.h"
#include "reactor.h"

struct drive {
    struct coop_task *task;
    long steps, limit;
};

struct action {
    struct drive *drive;
    char name[16];
    struct timer timer;
};

static enum coop_step count_step(void *arg)
{
    struct drive *d = arg;
    return ++d->steps < d->limit ? COOP_MORE : COOP_DONE;
}

static void done(enum coop_end how, void *arg)
{
    struct drive *d = arg;
    printf("done: %s after %ld steps\n", how == COOP_FINISHED ? "finished" : "stopped", d->steps);
}

static void act(struct reactor *r, void *arg)
{
    struct action *a = arg;
    struct drive *d = a->drive;
    int rc = strcmp(a->name, "pause") == 0 ? coop_pause(d->task)
           : strcmp(a->name, "resume") == 0 ? coop_resume(d->task)
           : coop_stop(d->task);
    (void)r;
    printf("%s: %d at step %ld\n", a->name, rc, d->steps);
}

int main(int argc, char **argv)
{
    struct drive d = { 0 };
    struct action actions[32] = { 0 };   /* zeroed: idle timers */
    char *end;
    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        printf("usage: coopdrive STEPS [T:pause|T:resume|T:stop]... (at most 32)\n");
        return 0;
    }
    if (argc < 2 || argc - 2 > 32 || (d.limit = strtol(argv[1], &end, 10)) < 1 || *end) {
        fprintf(stderr, "usage: coopdrive STEPS [T:pause|T:resume|T:stop]... (at most 32)\n");
        return 2;
    }
    double at[32];
    for (int i = 2; i < argc; i++) {   /* check every action before starting */
        struct action *a = &actions[i - 2];
        if (sscanf(argv[i], "%lf:%15s", &at[i - 2], a->name) != 2 || at[i - 2] < 0
            || (strcmp(a->name, "pause") && strcmp(a->name, "resume") && strcmp(a->name, "stop"))) {
            fprintf(stderr, "coopdrive: bad action '%s' (want T:pause, T:resume or T:stop)\n", argv[i]);
            return 2;
        }
        a->drive = &d;
    }
    struct reactor *r = reactor_new();
    if (r == NULL || (d.task = cooperate(r, count_step, &d)) == NULL) {
        perror("coopdrive");
        return 1;
    }
    coop_when_done(d.task, done, &d);
    for (int i = 0; i < argc - 2; i++)
        if (reactor_call_later(r, &actions[i].timer, at[i], act, &actions[i]) < 0) {
            perror("coopdrive");
            return 1;
        }
    reactor_run(r);
    coop_free(d.task);
    reactor_free(r);
    return 0;
}
