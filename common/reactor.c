/* reactor: fd handlers and timers on one thread (the rules are in reactor.h).
 * The loop is the four lines of the Twisted talk: wait with a timeout, do
 * reads and writes, run due timers, repeat. How to wait is the backend's
 * business (reactor_select.c, reactor_poll.c, reactor_epoll.c, chosen by
 * name when the reactor is made); this file knows nothing of select().
 * Timers live in a binary heap ordered by (due time, sequence number), as
 * in libuv: the next one due is always on top, adding and removing cost
 * O(log n), and the sequence number makes equal due times fire first-in,
 * first-out. A sorted list would read more simply but costs O(n) a timer,
 * which the 10,000-connection runs of chapter 12 would feel.
 * A timer is the caller's storage (struct timer in reactor.h, as libuv's
 * uv_timer_t): no malloc per timer, and its slot makes cancel O(log n) and
 * safe to repeat. Redis's ae hands out ids instead, and finds one to cancel
 * by scanning every timer: O(n) a cancel, O(n^2) for chapter 12's runs.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reactor.h"
#include "reactor_backend.h"
#include "timeline.h"
#include "trace.h"

struct watch {
    handler_fn *fn;
    void *arg;
    int events;        /* 0: this fd is not watched */
    unsigned serial;   /* changes each time the fd starts being watched */
};

struct reactor {
    const struct reactor_backend *backend;
    void *backend_state;
    struct watch *watches;          /* indexed by fd */
    struct reactor_fired *fired;    /* filled by backend->wait */
    int capacity;                   /* length of watches and fired */
    int n_watched;
    unsigned next_serial;
    struct timer **heap;            /* heap[0] is due first */
    size_t n_timers, heap_capacity;
    unsigned long next_seq;
    int stopping;
};

/* The ways of waiting, chosen at run time by name (Redis's ae picks one
 * at compile time; libuv has one per platform). */
static const struct reactor_backend *const backends[] = {
    &reactor_select_backend,
    &reactor_poll_backend,
#ifdef __linux__
    &reactor_epoll_backend,
#endif
};

struct reactor *reactor_new_backend(const char *name)
{
    const struct reactor_backend *backend = NULL;
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++)
        if (name != NULL && strcmp(name, backends[i]->name) == 0)
            backend = backends[i];
    if (backend == NULL) {
        errno = EINVAL;
        return NULL;
    }
    struct reactor *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    r->backend = backend;
    r->backend_state = r->backend->create();
    if (r->backend_state == NULL) {
        free(r);
        return NULL;
    }
    return r;
}

struct reactor *reactor_new(void)
{
    const char *name = getenv("WAITLESS_BACKEND");
    if (name == NULL || name[0] == '\0')
        name = "select";
    struct reactor *r = reactor_new_backend(name);
    if (r == NULL && errno == EINVAL)
        fprintf(stderr, "reactor: WAITLESS_BACKEND=%s: unknown backend (choose %s)\n",
                name, REACTOR_BACKENDS);
    return r;
}

const char *reactor_backend_name(const struct reactor *r)
{
    return r->backend->name;
}

void reactor_free(struct reactor *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n_timers; i++)
        r->heap[i]->slot = 0;       /* the caller's storage: idle, not freed */
    free(r->heap);
    free(r->watches);
    free(r->fired);
    r->backend->destroy(r->backend_state);
    free(r);
}

/* ---- fds ---------------------------------------------------------- */

static int grow_watches(struct reactor *r, int fd)
{
    int capacity = r->capacity ? r->capacity : 64;
    while (capacity <= fd)
        capacity *= 2;
    struct watch *w = realloc(r->watches, (size_t)capacity * sizeof *w);
    if (w == NULL)
        return -1;
    r->watches = w;
    for (int i = r->capacity; i < capacity; i++)
        w[i] = (struct watch){ 0 };
    struct reactor_fired *f = realloc(r->fired, (size_t)capacity * sizeof *f);
    if (f == NULL)
        return -1;   /* watches grew, fired did not: capacity stays, no harm */
    r->fired = f;
    r->capacity = capacity;
    return 0;
}

int reactor_watch(struct reactor *r, int fd, int events, handler_fn *fn, void *arg)
{
    if (fd < 0 || fn == NULL || (events & ~(REACTOR_READ | REACTOR_WRITE)) != 0) {
        errno = EINVAL;
        return -1;
    }
    if (events == 0) {
        reactor_unwatch(r, fd);
        return 0;
    }
    int old_events = fd < r->capacity ? r->watches[fd].events : 0;
    /* Same events, new handler: the backend need not hear of it (for
     * epoll that saves a system call). */
    if (old_events != events && r->backend->set(r->backend_state, fd, old_events, events) < 0)
        return -1;                          /* ERANGE: over FD_SETSIZE */
    if (fd >= r->capacity && grow_watches(r, fd) < 0) {
        r->backend->set(r->backend_state, fd, events, 0);
        return -1;
    }
    struct watch *w = &r->watches[fd];
    if (w->events == 0) {
        w->serial = ++r->next_serial;       /* a new watch, maybe a reused fd */
        r->n_watched++;
    }
    *w = (struct watch){ fn, arg, events, w->serial };
    return 0;
}

void reactor_unwatch(struct reactor *r, int fd)
{
    if (fd < 0 || fd >= r->capacity || r->watches[fd].events == 0)
        return;
    r->backend->set(r->backend_state, fd, r->watches[fd].events, 0);
    r->watches[fd].events = 0;
    r->n_watched--;
}

/* ---- timers: a binary heap ----------------------------------------- */

static int earlier(const struct timer *a, const struct timer *b)
{
    return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static void heap_place(struct reactor *r, size_t slot, struct timer *t)
{
    r->heap[slot] = t;
    t->slot = slot + 1;             /* 0 means idle */
}

/* Moves the timer at `slot` up or down until the heap is in order again. */
static void heap_fix(struct reactor *r, size_t slot)
{
    struct timer *t = r->heap[slot];
    while (slot > 0 && earlier(t, r->heap[(slot - 1) / 2])) {
        heap_place(r, slot, r->heap[(slot - 1) / 2]);
        slot = (slot - 1) / 2;
    }
    for (;;) {
        size_t child = 2 * slot + 1;
        if (child >= r->n_timers)
            break;
        if (child + 1 < r->n_timers && earlier(r->heap[child + 1], r->heap[child]))
            child++;
        if (!earlier(r->heap[child], t))
            break;
        heap_place(r, slot, r->heap[child]);
        slot = child;
    }
    heap_place(r, slot, t);
}

static void heap_remove(struct reactor *r, struct timer *t)
{
    size_t slot = t->slot - 1;
    struct timer *last = r->heap[--r->n_timers];
    t->slot = 0;
    if (last != t) {
        heap_place(r, slot, last);
        heap_fix(r, slot);
    }
}

int reactor_pending(const struct timer *t)
{
    return t->slot != 0;
}

void reactor_cancel(struct reactor *r, struct timer *t)
{
    if (!reactor_pending(t))        /* idle: fired, cancelled or never set */
        return;
    /* Not so: t was never zeroed, or belongs to another reactor. */
    assert(t->slot <= r->n_timers && r->heap[t->slot - 1] == t);
    heap_remove(r, t);
}

int reactor_call_later(struct reactor *r, struct timer *t, double seconds,
                       timer_fn *fn, void *arg)
{
    if (fn == NULL || !(seconds >= 0)) {    /* !(>=) also catches NaN */
        errno = EINVAL;
        return -1;
    }
    reactor_cancel(r, t);                   /* armed again: it moves */
    if (r->n_timers == r->heap_capacity) {
        size_t capacity = r->heap_capacity ? 2 * r->heap_capacity : 64;
        struct timer **heap = realloc(r->heap, capacity * sizeof *heap);
        if (heap == NULL)
            return -1;
        r->heap = heap;
        r->heap_capacity = capacity;
    }
    *t = (struct timer){ timeline_now() + seconds, r->next_seq++, fn, arg, 0 };
    heap_place(r, r->n_timers++, t);
    heap_fix(r, r->n_timers - 1);
    return 0;
}

int reactor_call_soon(struct reactor *r, struct timer *t, timer_fn *fn, void *arg)
{
    return reactor_call_later(r, t, 0, fn, arg);
}

/* ---- the loop ------------------------------------------------------ */

/* How long the wait may last: until the next timer is due, or forever. */
static double wait_timeout(const struct reactor *r)
{
    if (r->n_timers == 0)
        return -1;
    double left = r->heap[0]->due - timeline_now();
    return left > 0 ? left : 0;
}

static void dispatch_ready_fds(struct reactor *r, int n_fired)
{
    /* Note each fd's watch before calling anyone: a handler may unwatch and
     * close an fd that a later entry names, and accept() may hand the same
     * number to a new connection. A changed serial means "not that watch". */
    for (int i = 0; i < n_fired; i++)
        r->fired[i].serial = r->watches[r->fired[i].fd].serial;
    for (int i = 0; i < n_fired; i++) {
        struct reactor_fired *f = &r->fired[i];
        struct watch *w = &r->watches[f->fd];
        int events = f->events & w->events;
        if (events != 0 && w->serial == f->serial)
            w->fn(r, f->fd, events, w->arg);
    }
}

static void run_due_timers(struct reactor *r)
{
    double now = timeline_now();
    unsigned long pass_seq = r->next_seq;   /* timers added from here on wait */
    while (r->n_timers > 0 && r->heap[0]->due <= now && r->heap[0]->seq < pass_seq) {
        struct timer *t = r->heap[0];
        heap_remove(r, t);                  /* idle before fn: it may re-arm */
        t->fn(r, t->arg);                   /* or free t: not touched after */
    }
}

int reactor_run(struct reactor *r)
{
    while (!r->stopping && (r->n_watched > 0 || r->n_timers > 0)) {
        double timeout = wait_timeout(r);          /* until the next timer */
        trace_wait(r->n_watched, timeout);         /* --trace: a line each */
        int n_fired = r->backend->wait(r->backend_state, timeout, r->fired, r->capacity);
        if (n_fired < 0) {
            r->stopping = 0;
            return -1;
        }
        trace_wake(n_fired);
        dispatch_ready_fds(r, n_fired);
        run_due_timers(r);
    }
    r->stopping = 0;
    return 0;
}

void reactor_stop(struct reactor *r)
{
    r->stopping = 1;
}
