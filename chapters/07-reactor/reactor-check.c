/* reactor-check: small demonstrations of the reactor's rules, one per
 * subcommand; each prints what happened, in order, and the chapter's
 * tests compare that with what reactor.h promises.
 *   reactor-check order|cancel|same-pass|unwatch-self|reuse|stop|idle|
 *                 new-watch|far|erange
 * Left out: timing precision (the tests allow for a busy machine).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <unistd.h>

#include "reactor.h"
#include "timeline.h"

static void die(const char *what)
{
    perror(what);
    exit(1);
}

/* Each check arms a few timers and runs once: a small pool is their storage. */
static struct timer *later(struct reactor *r, double s, timer_fn *fn, void *arg)
{
    static struct timer pool[16];
    static size_t used;
    if (used == sizeof pool / sizeof pool[0]) {
        fprintf(stderr, "reactor-check: more than %zu timers\n", used);
        exit(1);
    }
    struct timer *t = &pool[used++];
    if (reactor_call_later(r, t, s, fn, arg) < 0)
        die("reactor_call_later");
    return t;
}

static void watch(struct reactor *r, int fd, int events, handler_fn *fn, void *arg)
{
    if (reactor_watch(r, fd, events, fn, arg) < 0)
        die("reactor_watch");
}

static void make_pipe(int p[2])
{
    if (pipe(p) < 0)
        die("pipe");
}

static void put_byte(int fd)
{
    if (write(fd, "x", 1) != 1)
        die("write");
}

/* A timer that prints its name (the arg). */
static void say(struct reactor *r, void *arg)
{
    (void)r;
    printf("%s\n", (const char *)arg);
}

/* ---- order: due order, then the order they were added ---------------- */

static void check_order(struct reactor *r)
{
    later(r, 0.03, say, "30ms");
    later(r, 0.01, say, "10ms");
    later(r, 0.02, say, "20ms first");
    later(r, 0.02, say, "20ms second");   /* same delay: after the one before */
    later(r, 0.02, say, "20ms third");
    later(r, 0, say, "0ms");
}

/* ---- cancel: before run, another from inside, itself from inside ------ */

static struct timer *victim;

static void cancel_victim(struct reactor *r, void *arg)
{
    say(r, arg);
    reactor_cancel(r, victim);            /* pending, due in this same pass too */
}

static struct timer *self;

static void cancel_self(struct reactor *r, void *arg)
{
    say(r, arg);
    reactor_cancel(r, self);              /* harmless: it is idle while it runs */
}

static void check_cancel(struct reactor *r)
{
    struct timer *never = later(r, 0.01, say, "cancelled before run: never printed");
    later(r, 0.02, cancel_victim, "cancels the next timer");
    victim = later(r, 0.02, say, "cancelled by the one before: never printed");
    self = later(r, 0.03, cancel_self, "cancels itself while running");
    later(r, 0.04, say, "last");
    reactor_cancel(r, never);
}

/* ---- same-pass: a timer added by a timer waits for the next pass ------- */

static int same_pass_pipe[2];

static void on_pipe_readable(struct reactor *r, int fd, int events, void *arg)
{
    char byte;
    (void)events, (void)arg;
    if (read(fd, &byte, 1) != 1)
        die("read");
    printf("fd handler: readable\n");
    reactor_unwatch(r, fd);
}

static void first_timer(struct reactor *r, void *arg)
{
    (void)arg;
    printf("timer 1: adds timer 2 (0 s) and makes a pipe readable\n");
    later(r, 0, say, "timer 2");
    put_byte(same_pass_pipe[1]);
}

static void check_same_pass(struct reactor *r)
{
    make_pipe(same_pass_pipe);
    watch(r, same_pass_pipe[0], REACTOR_READ, on_pipe_readable, NULL);
    later(r, 0, first_timer, NULL);
}

/* ---- unwatch-self: a handler unwatches and closes its own fd ----------- */

static int calls;

static void read_then_close(struct reactor *r, int fd, int events, void *arg)
{
    (void)events, (void)arg;
    calls++;
    reactor_unwatch(r, fd);               /* unwatch before close */
    close(fd);
    printf("handler call %d: unwatched and closed fd %d\n", calls, fd);
}

static void check_unwatch_self(struct reactor *r)
{
    int p[2];
    make_pipe(p);
    put_byte(p[1]);                       /* readable, and stays so: never read */
    watch(r, p[0], REACTOR_READ, read_then_close, NULL);
    close(p[1]);
}

/* ---- reuse: an fd closed and reused in the same pass ------------------ */

static int reuse_fds[2];                  /* two read ends, both readable */
static int replaced;

static void on_new_fd(struct reactor *r, int fd, int events, void *arg)
{
    (void)r, (void)arg;
    printf("WRONG: new watch of fd %d called with events %d\n", fd, events);
}

/* Whichever runs first closes the other read end and puts a fresh, empty
 * pipe on the same fd number, watched with on_new_fd. */
static void replace_other(struct reactor *r, int fd, int events, void *arg)
{
    (void)events, (void)arg;
    int other = fd == reuse_fds[0] ? reuse_fds[1] : reuse_fds[0];
    reactor_unwatch(r, fd);
    if (replaced++) {
        printf("WRONG: the old watch of fd %d was called\n", fd);
        return;
    }
    int p[2];
    make_pipe(p);
    reactor_unwatch(r, other);
    if (dup2(p[0], other) < 0)            /* same number, new pipe, nothing in it */
        die("dup2");
    close(p[0]);                          /* p[1] stays open: never readable */
    watch(r, other, REACTOR_READ, on_new_fd, NULL);
    printf("first handler: fd %d now is a new pipe\n", other);
    reactor_stop(r);                      /* end after this pass */
}

static void check_reuse(struct reactor *r)
{
    int a[2], b[2];
    make_pipe(a);
    make_pipe(b);
    put_byte(a[1]);
    put_byte(b[1]);
    reuse_fds[0] = a[0];
    reuse_fds[1] = b[0];
    watch(r, a[0], REACTOR_READ, replace_other, NULL);
    watch(r, b[0], REACTOR_READ, replace_other, NULL);
}

/* ---- stop: from a timer, with an fd still watched --------------------- */

static void stop_now(struct reactor *r, void *arg)
{
    (void)arg;
    printf("timer: reactor_stop\n");
    reactor_stop(r);
}

static void never_called(struct reactor *r, int fd, int events, void *arg)
{
    (void)r, (void)events, (void)arg;
    printf("WRONG: fd %d was never written to\n", fd);
}

static int stop_pipe[2];

static void check_stop(struct reactor *r)
{
    make_pipe(stop_pipe);
    watch(r, stop_pipe[0], REACTOR_READ, never_called, NULL);   /* never ready */
    later(r, 0.05, stop_now, NULL);
    later(r, 0.05, say, "same pass as the stop: still runs");
    later(r, 0.5, say, "WRONG: after the stop");
}

/* ---- new-watch: handlers that add watches ------------------------------ */

static void next_link(struct reactor *r, int fd, int events, void *arg)
{
    int left = (int)(long)arg;
    char byte;
    (void)events;
    if (read(fd, &byte, 1) != 1)
        die("read");
    reactor_unwatch(r, fd);
    close(fd);
    printf("link %d read; ", 3 - left);
    if (left == 0) {
        printf("the end\n");
        return;
    }
    int p[2];
    make_pipe(p);
    put_byte(p[1]);
    close(p[1]);
    watch(r, p[0], REACTOR_READ, next_link, (void *)(long)(left - 1));
    printf("watching a new fd %d\n", p[0]);
}

static void check_new_watch(struct reactor *r)
{
    int p[2];
    make_pipe(p);
    put_byte(p[1]);
    close(p[1]);
    watch(r, p[0], REACTOR_READ, next_link, (void *)2L);
}

/* ---- far: a timer due never (+inf) must not break the wait ------------- */

static struct timer *never_due;

static void cancel_never_due(struct reactor *r, int fd, int events, void *arg)
{
    (void)events, (void)arg;
    printf("fd handler: readable; cancels the timer due in +inf s\n");
    reactor_cancel(r, never_due);
    reactor_unwatch(r, fd);
    close(fd);
}

static void check_far(struct reactor *r)
{
    int p[2];
    make_pipe(p);
    put_byte(p[1]);                       /* readable at once */
    close(p[1]);
    never_due = later(r, INFINITY, say, "WRONG: a timer due in +inf s fired");
    watch(r, p[0], REACTOR_READ, cancel_never_due, NULL);
}

/* ---- erange: an fd the select backend cannot hold --------------------- */

static int check_erange(struct reactor *r)
{
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur <= FD_SETSIZE) {
        lim.rlim_cur = lim.rlim_max > FD_SETSIZE + 1 ? FD_SETSIZE + 1 : lim.rlim_max;
        setrlimit(RLIMIT_NOFILE, &lim);   /* may fail: then dup2 says so */
    }
    if (dup2(STDIN_FILENO, FD_SETSIZE) < 0)
        die("dup2 to FD_SETSIZE");
    int rc = reactor_watch(r, FD_SETSIZE, REACTOR_READ, never_called, NULL);
    printf("watch fd %d: %d, %s\n", FD_SETSIZE, rc, rc < 0 && errno == ERANGE ? "ERANGE" : "?");
    rc = reactor_watch(r, -1, REACTOR_READ, never_called, NULL);
    printf("watch fd -1: %d, %s\n", rc, rc < 0 && errno == EINVAL ? "EINVAL" : "?");
    close(FD_SETSIZE);
    return 0;
}

int main(int argc, char **argv)
{
    static const struct { const char *name; void (*setup)(struct reactor *); } checks[] = {
        { "order", check_order }, { "cancel", check_cancel },
        { "same-pass", check_same_pass }, { "unwatch-self", check_unwatch_self },
        { "reuse", check_reuse }, { "stop", check_stop }, { "idle", NULL },
        { "new-watch", check_new_watch }, { "far", check_far },
    };
    if (argc != 2) {
        fprintf(stderr, "usage: reactor-check order|cancel|same-pass|unwatch-self|"
                        "reuse|stop|idle|new-watch|far|erange\n");
        return 2;
    }
    struct reactor *r = reactor_new();
    if (r == NULL)
        die("reactor_new");
    if (strcmp(argv[1], "erange") == 0) {
        check_erange(r);
        reactor_free(r);
        return 0;
    }
    size_t i = 0, n = sizeof checks / sizeof checks[0];
    while (i < n && strcmp(argv[1], checks[i].name) != 0)
        i++;
    if (i == n) {
        fprintf(stderr, "reactor-check: no check named '%s'\n", argv[1]);
        reactor_free(r);
        return 2;
    }
    if (checks[i].setup)
        checks[i].setup(r);
    double t0 = timeline_now();
    int rc = reactor_run(r);
    printf("reactor_run returned %d after %.2f s\n", rc, timeline_now() - t0);
    reactor_free(r);
    return rc < 0 ? 1 : 0;
}
