/* timercheck: the reactor's timer handles are safe by construction, for
 * tests/timers.bats (run under ASan by make sanitize). Each step prints one
 * line; a use after free or a double free is ASan's to catch, a wrong
 * answer is a line that differs.
 * Left out: timing precision and ordering (chapter 07's reactor-check).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "driver.h"
#include "reactor.h"

static const char usage[] =
    "usage: timercheck\n"
    "Arms, cancels, moves and frees reactor timers; prints one line a step.\n";

static void say(struct reactor *r, void *arg)
{
    (void)r;
    printf("fired: %s\n", (const char *)arg);
}

/* A timer inside the struct it works on, freed by its own callback. */
struct job {
    struct timer timer;
    int id;
};

static void free_job(struct reactor *r, void *arg)
{
    struct job *job = arg;
    reactor_cancel(r, &job->timer);     /* idle while it runs: nothing to do */
    printf("fired: job %d frees itself\n", job->id);
    free(job);                          /* the reactor touches t no more */
}

static struct timer ticker;
static int ticks;

static void tick(struct reactor *r, void *arg)
{
    (void)arg;
    printf("fired: tick %d\n", ++ticks);
    if (ticks < 3 && reactor_call_later(r, &ticker, 0, tick, NULL) < 0)
        perror("timercheck: reactor_call_later");   /* re-armed from inside */
}

static int pipe_fds[2];
static struct timer soon;

static void on_readable(struct reactor *r, int fd, int events, void *arg)
{
    char byte;
    (void)events, (void)arg;
    if (read(fd, &byte, 1) != 1)
        perror("timercheck: read");
    reactor_unwatch(r, fd);
    printf("fd handler: arms a call soon\n");
    if (reactor_call_soon(r, &soon, say, "soon, after the fd handlers") < 0)
        perror("timercheck: reactor_call_soon");
}

static void check(int ok, const char *what)
{
    printf("%s: %s\n", ok ? "ok" : "WRONG", what);
}

int main(int argc, char **argv)
{
    int rc = driver_parse_options(argc, argv, "timercheck", usage);
    if (rc >= 0)
        return rc;
    if (optind != argc)
        return driver_usage_error("no operand is taken");
    struct reactor *r = reactor_new();
    struct timer never_set = { 0 }, fired = { 0 }, cancelled = { 0 }, moved = { 0 };
    if (r == NULL || pipe(pipe_fds) < 0) {
        perror("timercheck");
        return 1;
    }
    reactor_cancel(r, &never_set);
    check(!reactor_pending(&never_set), "cancel of a timer never armed does nothing");

    if (reactor_call_later(r, &fired, 0, say, "fired") < 0
        || reactor_call_later(r, &cancelled, 0, say, "WRONG: cancelled") < 0
        || reactor_call_later(r, &moved, 10, say, "moved") < 0
        || reactor_call_later(r, &ticker, 0, tick, NULL) < 0)
        return 1;
    check(reactor_pending(&fired), "an armed timer is pending");
    reactor_cancel(r, &cancelled);
    reactor_cancel(r, &cancelled);
    check(!reactor_pending(&cancelled), "cancel twice: idle, no double free");
    if (reactor_call_later(r, &moved, 0.01, say, "moved") < 0)
        return 1;                       /* armed again while pending: it moves */
    for (int i = 1; i <= 2; i++) {
        struct job *job = calloc(1, sizeof *job);
        if (job == NULL)
            return 1;
        job->id = i;
        if (reactor_call_later(r, &job->timer, 0, free_job, job) < 0)
            return 1;
    }
    char byte = 'x';
    if (write(pipe_fds[1], &byte, 1) != 1
        || reactor_watch(r, pipe_fds[0], REACTOR_READ, on_readable, NULL) < 0)
        return 1;
    if (reactor_run(r) < 0)
        return 1;

    reactor_cancel(r, &fired);
    reactor_cancel(r, &fired);
    check(!reactor_pending(&fired), "cancel after it fired, twice: nothing to do");
    reactor_cancel(r, &ticker);
    check(ticks == 3, "a timer re-armed from its own callback fires each time");
    reactor_cancel(r, &soon);
    check(!reactor_pending(&soon), "cancel of a fired call soon: nothing to do");

    struct timer left = { 0 };
    if (reactor_call_later(r, &left, 60, say, "WRONG: freed with its reactor") < 0)
        return 1;
    reactor_free(r);
    check(!reactor_pending(&left), "reactor_free leaves a pending timer idle");
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    return 0;
}
