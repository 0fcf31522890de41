/* paritycheck: the reactor's rules (reactor.h), checked on one backend.
 *   paritycheck select|poll|epoll
 * prints "ok - RULE" or "FAIL - RULE: why" per rule and exits 1 if any
 * failed. tests/beyond.bats runs it on every backend: one API, one
 * behaviour, whatever waits underneath. Left out: timing precision.
 */
#define _GNU_SOURCE   /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>
#include <unistd.h>

#include "net.h"
#include "reactor.h"

static const char *backend;
static int failures;
static char log_text[256];        /* what the callbacks did, in order */

static void note(const char *what)
{
    strncat(log_text, what, sizeof log_text - strlen(log_text) - 1);
}

static void expect(int ok, const char *rule, const char *why)
{
    printf(ok ? "ok - %s\n" : "FAIL - %s: %s\n", rule, why);
    failures += !ok;
}

static void expect_log(const char *rule, const char *want)
{
    char why[600];
    snprintf(why, sizeof why, "callbacks ran as '%s', not '%s'", log_text, want);
    expect(strcmp(log_text, want) == 0, rule, why);
}

/* Storage for the timers of every check, in turn: a check's timers have
 * fired, been cancelled or gone idle with its reactor before the next. */
static struct timer *later(struct reactor *r, double s, timer_fn *fn, void *arg)
{
    static struct timer pool[16];
    static size_t next;
    struct timer *t = &pool[next++ % (sizeof pool / sizeof pool[0])];
    if (reactor_pending(t) || reactor_call_later(r, t, s, fn, arg) < 0) {
        fprintf(stderr, "paritycheck: no timer for %.2f s\n", s);
        exit(2);
    }
    return t;
}

static struct reactor *fresh(void)
{
    log_text[0] = '\0';
    struct reactor *r = reactor_new_backend(backend);
    if (r == NULL) {
        fprintf(stderr, "paritycheck: backend '%s': %s\n", backend, strerror(errno));
        exit(2);
    }
    return r;
}

/* A pipe with a byte waiting: its read end is ready. */
static void ready_pipe(int p[2])
{
    if (pipe2(p, O_CLOEXEC) < 0 || write(p[1], "x", 1) != 1) {
        perror("paritycheck: pipe");
        exit(2);
    }
}

/* ---- timers ------------------------------------------------------- */

static void on_timer_note(struct reactor *r, void *arg)
{
    (void)r;
    note(arg);
}

static void check_timer_order(void)
{
    struct reactor *r = fresh();
    later(r, 0.03, on_timer_note, "3");
    later(r, 0.01, on_timer_note, "1");
    later(r, 0.02, on_timer_note, "2");
    for (int i = 0; i < 5; i++)   /* equal delays: the order they were added */
        later(r, 0.04, on_timer_note, (char *[]){ "a", "b", "c", "d", "e" }[i]);
    int rc = reactor_run(r);
    expect_log("timers fire in due order, equal delays in the order added", "123abcde");
    expect(rc == 0, "run returns 0 when nothing is left to wait for", "it did not");
    reactor_free(r);
}

static struct timer *victim;

static void on_cancel_other(struct reactor *r, void *arg)
{
    (void)arg;
    note("C");
    reactor_cancel(r, victim);     /* due in this same pass: must not run */
}

static void on_cancel_self(struct reactor *r, void *arg)
{
    note("S");
    reactor_cancel(r, *(struct timer **)arg);
}

static void check_cancel(void)
{
    struct reactor *r = fresh();
    struct timer *gone = later(r, 0.01, on_timer_note, "x");
    reactor_cancel(r, gone);
    later(r, 0.02, on_cancel_other, NULL);
    victim = later(r, 0.02, on_timer_note, "V");
    static struct timer *self;
    self = later(r, 0.03, on_cancel_self, &self);
    reactor_run(r);
    expect_log("cancel: before, from another timer of the same pass, and itself", "CS");
    reactor_free(r);
}

static void on_stop(struct reactor *r, void *arg)
{
    (void)arg;
    note("stop");
    reactor_stop(r);
}

static void check_stop(void)
{
    struct reactor *r = fresh();
    expect(reactor_run(r) == 0, "run on an idle reactor returns at once", "it failed");
    later(r, 0.01, on_stop, NULL);
    later(r, 0.05, on_timer_note, "-later");
    reactor_run(r);
    expect_log("stop from a callback: run returns with timers pending", "stop");
    reactor_run(r);
    expect_log("run again: the pending timer fires", "stop-later");
    reactor_free(r);
}

/* ---- fds ---------------------------------------------------------- */

struct two_pipes {
    int a[2], b[2];
    int calls_a, calls_b;
};

static void on_unwatch_self(struct reactor *r, int fd, int events, void *arg)
{
    struct two_pipes *p = arg;
    (void)events;
    p->calls_a++;
    reactor_unwatch(r, fd);   /* still readable: a second call would be a bug */
}

static void on_b(struct reactor *r, int fd, int events, void *arg)
{
    struct two_pipes *p = arg;
    (void)events;
    p->calls_b++;
    reactor_unwatch(r, fd);
}

/* A's handler unwatches B, which is ready in the same pass. */
static void on_a_unwatches_b(struct reactor *r, int fd, int events, void *arg)
{
    struct two_pipes *p = arg;
    on_unwatch_self(r, fd, events, arg);
    reactor_unwatch(r, p->b[0]);
}

/* A's handler closes B and reuses its number for a pipe that is NOT
 * ready: B's old readiness must not reach the new watch. */
static void on_a_reuses_b(struct reactor *r, int fd, int events, void *arg)
{
    struct two_pipes *p = arg;
    int fresh_pipe[2];
    on_a_unwatches_b(r, fd, events, arg);
    if (pipe(fresh_pipe) < 0)
        exit(2);
    close(p->b[0]);
    if (dup2(fresh_pipe[0], p->b[0]) < 0)   /* the same number, a new pipe */
        exit(2);
    close(fresh_pipe[0]);
    close(p->b[1]);
    p->b[1] = fresh_pipe[1];
    reactor_watch(r, p->b[0], REACTOR_READ, on_b, p);
    later(r, 0.05, on_stop, NULL);   /* the new pipe stays quiet */
}

/* A's handler starts watching B: B's handler runs in a later pass. */
static void on_a_watches_b(struct reactor *r, int fd, int events, void *arg)
{
    struct two_pipes *p = arg;
    on_unwatch_self(r, fd, events, arg);
    reactor_watch(r, p->b[0], REACTOR_READ, on_b, p);
}

static void run_two_pipes(handler_fn *on_a, int watch_b, const char *rule, int want_b)
{
    struct reactor *r = fresh();
    struct two_pipes p = { 0 };
    ready_pipe(p.a);
    ready_pipe(p.b);
    reactor_watch(r, p.a[0], REACTOR_READ, on_a, &p);
    if (watch_b)
        reactor_watch(r, p.b[0], REACTOR_READ, on_b, &p);
    int rc = reactor_run(r);
    char why[128];
    snprintf(why, sizeof why, "run %d, A called %d times, B %d (want 1, %d)",
             rc, p.calls_a, p.calls_b, want_b);
    expect(rc == 0 && p.calls_a == 1 && p.calls_b == want_b, rule, why);
    reactor_unwatch(r, p.b[0]);
    for (int i = 0; i < 2; i++) {
        close(p.a[i]);
        close(p.b[i]);
    }
    reactor_free(r);
}

static void check_fd_rules(void)
{
    /* A is watched first, so every backend reports it before B. */
    run_two_pipes(on_unwatch_self, 0, "unwatch in its own handler: never called again", 0);
    run_two_pipes(on_a_unwatches_b, 1, "an fd unwatched earlier in the pass is not called", 0);
    run_two_pipes(on_a_watches_b, 0, "a handler adds a watch: it runs in a later pass", 1);
    run_two_pipes(on_a_reuses_b, 1, "a reused fd number never gets the old fd's readiness", 0);
}

static void on_note_events(struct reactor *r, int fd, int events, void *arg)
{
    char text[32];
    (void)arg;
    snprintf(text, sizeof text, "%s%s", events & REACTOR_READ ? "R" : "",
             events & REACTOR_WRITE ? "W" : "");
    note(text);
    reactor_unwatch(r, fd);
}

static void check_events(void)
{
    struct reactor *r = fresh();
    int p[2];
    ready_pipe(p);
    reactor_watch(r, p[1], REACTOR_WRITE, on_note_events, NULL);
    reactor_run(r);
    expect_log("an empty pipe's write end is reported writable", "W");
    log_text[0] = '\0';
    if (read(p[0], log_text, 1) != 1)    /* empty the pipe, then hang up: */
        exit(2);
    log_text[0] = '\0';
    close(p[1]);                         /* the reader sees end of file */
    reactor_watch(r, p[0], REACTOR_READ | REACTOR_WRITE, on_note_events, NULL);
    reactor_run(r);
    expect_log("a hang-up wakes a reader, with only the events it watches", "R");
    close(p[0]);
    reactor_free(r);
}

static void on_alarm(int signo)
{
    (void)signo;
}

/* A signal interrupts the wait: zero events, not an error. */
static void check_eintr(void)
{
    struct reactor *r = fresh();
    struct sigaction sa = { 0 };
    struct itimerval tick = { { 0, 10000 }, { 0, 10000 } };   /* every 10 ms */
    int p[2];
    ready_pipe(p);
    if (read(p[0], log_text, 1) != 1)   /* now empty: never ready */
        exit(2);
    log_text[0] = '\0';
    sa.sa_handler = on_alarm;           /* no SA_RESTART: the wait gets EINTR */
    sigaction(SIGALRM, &sa, NULL);
    setitimer(ITIMER_REAL, &tick, NULL);
    reactor_watch(r, p[0], REACTOR_READ, on_note_events, NULL);
    later(r, 0.1, on_stop, NULL);
    int rc = reactor_run(r);
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
    expect(rc == 0 && strcmp(log_text, "stop") == 0,
           "EINTR is zero events: run goes on to its timer", "run failed or the fd fired");
    reactor_unwatch(r, p[0]);
    close(p[0]);
    close(p[1]);
    reactor_free(r);
}

/* Closing a watched fd is a bug in the caller; select and poll say so
 * with EBADF, epoll forgets the fd without a word (reactor.h). */
static void check_closed_fd(void)
{
    struct reactor *r = fresh();
    int p[2];
    ready_pipe(p);
    reactor_watch(r, p[0], REACTOR_READ, on_note_events, NULL);
    close(p[0]);
    later(r, 0.05, on_stop, NULL);
    errno = 0;
    int rc = reactor_run(r);
    if (strcmp(backend, "epoll") == 0)
        expect(rc == 0 && strcmp(log_text, "stop") == 0, "a closed watched fd: epoll forgets it",
               "it did not");
    else
        expect(rc == -1 && errno == EBADF, "a closed watched fd: run fails with EBADF",
               strerror(errno));
    reactor_unwatch(r, p[0]);
    close(p[1]);
    reactor_free(r);
}

static void on_count(struct reactor *r, int fd, int events, void *arg)
{
    (void)events;
    ++*(int *)arg;
    reactor_unwatch(r, fd);
}

/* fd FD_SETSIZE + 100: select refuses it (ERANGE), poll and epoll take it. */
static void check_big_fd(void)
{
    struct reactor *r = fresh();
    int p[2], calls = 0, big = FD_SETSIZE + 100;
    ready_pipe(p);
    if (net_raise_fd_limit() <= big || dup2(p[0], big) < 0) {
        printf("skip - fd %d: the open-file limit is too low\n", big);
        reactor_free(r);
        return;
    }
    errno = 0;
    int rc = reactor_watch(r, big, REACTOR_READ, on_count, &calls);
    if (strcmp(backend, "select") == 0) {
        expect(rc == -1 && errno == ERANGE, "select refuses fd FD_SETSIZE+100 with ERANGE",
               "it took it");
    } else {
        reactor_run(r);
        expect(rc == 0 && calls == 1, "fd FD_SETSIZE+100 is watched and reported", "it was not");
    }
    close(big);
    close(p[0]);
    close(p[1]);
    reactor_free(r);
}

static int usage(FILE *out, int status)
{
    fprintf(out, "usage: paritycheck select|poll|epoll\n"
                 "Check the reactor's rules on one backend: a line per rule, exit 1 if any fails.\n");
    return status;
}

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("paritycheck: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'paritycheck --help'.\n", stderr);
    return 2;
}

/* -1 to go on, else the exit code (0 after --help, 2 after a usage error). */
static int parse_options(int argc, char **argv)
{
    static const struct option longs[] = {
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    opterr = 0;   /* the messages are ours */
    c = getopt_long(argc, argv, "h", longs, NULL);
    if (c == 'h')
        return usage(stdout, 0);
    if (c != -1)   /* '?': -x (in optopt) or --name (the argument read last) */
        return optopt ? usage_error("unknown option '-%c'", optopt)
                      : usage_error("unknown option '%s'", argv[optind - 1]);
    if (optind + 1 != argc)
        return usage_error("one backend is needed: " REACTOR_BACKENDS);
    backend = argv[optind];
    struct reactor *r = reactor_new_backend(backend);
    if (r == NULL && errno == EINVAL)
        return usage_error("the backend must be " REACTOR_BACKENDS ", not '%s'", backend);
    reactor_free(r);   /* any other error: fresh() says so */
    return -1;
}

int main(int argc, char **argv)
{
    int rc = parse_options(argc, argv);

    if (rc >= 0)
        return rc;
    check_timer_order();
    check_cancel();
    check_stop();
    check_fd_rules();
    check_events();
    check_eintr();
    check_closed_fd();
    check_big_fd();
    printf("%s: %s\n", backend, failures ? "FAILED" : "all rules hold");
    return failures > 0;
}
