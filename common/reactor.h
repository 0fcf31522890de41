/* reactor: one thread waits for many things at once.
 *
 *   while (something is watched or a timer is pending) {
 *       wait for fds with a timeout (until the next timer is due)
 *       call the handlers of the fds that are ready
 *       call the timers that are due
 *   }
 *
 * Rules, all of which chapter 07 tests:
 * - reactor_run returns when reactor_stop was called (after the current
 *   pass), or when no fd is watched and no timer is pending, as in libuv.
 *   (Twisted's reactor.run() differs: it runs until stopped, even idle.)
 * - Timers fire in order of due time; equal due times fire in the order
 *   they were added. A timer added by a timer callback never fires in the
 *   same round of due timers, even with a delay of 0 (no starvation); one
 *   added by an fd handler may fire in the timer round of that same pass.
 * - Handlers and timers may watch, unwatch, add and cancel anything,
 *   including their own fd or timer, and a timer's fn may free the struct
 *   its timer lives in; a handler never runs for an fd that was unwatched
 *   earlier in the same pass.
 * - The caller owns fds and callback arguments: the reactor never closes
 *   an fd. Unwatch before close.
 * - The select backend only holds fds below FD_SETSIZE (1024): reactor_watch
 *   refuses larger ones with ERANGE instead of corrupting memory.
 *
 * Backends (chapter 12): the same rules on three ways of waiting.
 *   select  the default; fds < FD_SETSIZE; copies and scans every fd per wait
 *   poll    any fd; still copies and scans every watched fd per wait
 *   epoll   Linux; the kernel keeps the list, a wait costs O(ready fds)
 * reactor_new() takes the name from the environment variable
 * WAITLESS_BACKEND (unset or empty: select), so any reactor program can be
 * switched without a line of code: WAITLESS_BACKEND=epoll ./prog. An
 * unknown name fails with EINVAL and a message on stderr.
 * Differences that remain: closing a watched fd makes select and poll fail
 * with EBADF, while epoll silently forgets the fd (its handler never runs
 * again); epoll refuses regular files (EPERM), which select and poll
 * report as always ready.
 * With --trace (common/trace.h: trace_start), reactor_run prints a line
 * on stderr before each wait (fds watched, timeout) and after (fds ready).
 * Left out: signals, threads (one reactor per thread; none of it is
 * thread-safe), priorities.
 */
#ifndef WAITLESS_REACTOR_H
#define WAITLESS_REACTOR_H

#include <stddef.h>

#define REACTOR_READ  1
#define REACTOR_WRITE 2

struct reactor;

/* Called with the events (REACTOR_READ | REACTOR_WRITE) that are ready. */
typedef void handler_fn(struct reactor *r, int fd, int events, void *arg);
typedef void timer_fn(struct reactor *r, void *arg);

/* The names reactor_new_backend takes, for messages and for a check that
 * needs no reactor (fetchcli): a program that only parses its options
 * links no backend. */
#ifdef __linux__
#define REACTOR_BACKENDS "select, poll or epoll"
#define REACTOR_BACKEND_NAMES "select", "poll", "epoll"
#else
#define REACTOR_BACKENDS "select or poll"
#define REACTOR_BACKEND_NAMES "select", "poll"
#endif

/* NULL with errno set on failure. The backend is $WAITLESS_BACKEND. */
struct reactor *reactor_new(void);

/* The same with the backend named: "select", "poll" or "epoll".
 * NULL with errno EINVAL (and no message) for an unknown name. */
struct reactor *reactor_new_backend(const char *name);

/* The backend's name, e.g. for "flood(epoll): ..." */
const char *reactor_backend_name(const struct reactor *r);

/* Watch fd for events, calling fn(r, fd, ready, arg) when any is ready.
 * Watching a watched fd again replaces its events, handler and arg.
 * 0, or -1 with errno (ERANGE: fd too large for the
 * select backend; EPERM: epoll and a regular file). */
int reactor_watch(struct reactor *r, int fd, int events, handler_fn *fn, void *arg);

/* Stop watching fd; unwatching an fd that is not watched does nothing. */
void reactor_unwatch(struct reactor *r, int fd);

/* A timer is storage the caller owns, as in libuv: a field of the struct
 * the callback works on, so a handle cannot outlive what it names. Zeroed,
 * it is idle. The fields are the reactor's; the reactor holds a pointer to
 * a pending timer, so cancel it before freeing its storage. */
struct timer {
    double due;              /* timeline_now() time to fire */
    unsigned long seq;       /* order of arming, breaks ties */
    timer_fn *fn;
    void *arg;
    size_t slot;             /* 0: idle; else 1 + its place in the heap */
};

/* Arm t to call fn(r, arg) once, `seconds` from now; a pending t moves.
 * 0, or -1 with errno (EINVAL, ENOMEM). t is idle again before fn runs. */
int reactor_call_later(struct reactor *r, struct timer *t, double seconds, timer_fn *fn, void *arg);

/* Call fn(r, arg) once, after the fd handlers of this pass (called from
 * one) or of the next (called from a timer or before reactor_run; that
 * pass's wait does not block): in that pass's timer round, after the
 * timers already due. A 0 s timer, named for why it is there. */
int reactor_call_soon(struct reactor *r, struct timer *t, timer_fn *fn, void *arg);

/* Disarm t. Safe on an idle timer: fired, cancelled, running or never set. */
void reactor_cancel(struct reactor *r, struct timer *t);

/* 1 while t waits to fire, else 0. */
int reactor_pending(const struct timer *t);

/* Runs the loop (see the rules above). 0, or -1 with errno when waiting
 * itself failed (EBADF: an fd was closed while still watched). */
int reactor_run(struct reactor *r);

void reactor_stop(struct reactor *r);

/* Frees the reactor; its pending timers become idle; closes no fd. */
void reactor_free(struct reactor *r);

#endif
