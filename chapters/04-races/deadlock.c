/* deadlock: two threads, two locks, taken in opposite orders. Thread 1
 * takes A then B, thread 2 takes B then A; once each holds its first lock,
 * each waits for ever for the other's. The main thread is a watchdog: when
 * no round has finished for half a second it prints who holds what and
 * waits for what, and exits 1. --fix ordering makes both threads take the
 * locks in one global order (A before B): no cycle, so no deadlock.
 * Left out: recovery. A pthread mutex cannot be taken back from a thread
 * stuck on another one; the only way out of a real deadlock is to end the
 * process (or never build the cycle).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "args.h"
#include "timeline.h"

#define STALL_SECONDS 0.5          /* no progress for this long: stalled */
#define HOLD_NANOSECONDS 1000000   /* 1 ms of "work" between the two locks */
#define NOBODY (-1)

enum fix { FIX_NONE, FIX_ORDERING };
static const char *const fix_names[] = { "none", "ordering", NULL };
static int rounds = 100, fix = FIX_NONE;

struct lock {
    const char *name;
    int rank;                 /* the global order --fix ordering follows */
    pthread_mutex_t mutex;
    atomic_int holder;        /* the worker id holding it, or NOBODY */
};

static struct lock locks[2] = {
    { "A", 0, PTHREAD_MUTEX_INITIALIZER, NOBODY },
    { "B", 1, PTHREAD_MUTEX_INITIALIZER, NOBODY },
};

struct worker {
    int id;                   /* 1 or 2 */
    struct lock *first, *second;
    atomic_int waiting_for;   /* index in locks[], or NOBODY */
    pthread_t thread;
};

static atomic_long rounds_done;     /* the watchdog's measure of progress */
static atomic_int workers_done;

/* The lock, and what the watchdog needs to know about it. */
static void take(struct worker *w, struct lock *l)
{
    atomic_store(&w->waiting_for, (int)(l - locks));
    pthread_mutex_lock(&l->mutex);              /* may wait here for ever */
    atomic_store(&w->waiting_for, NOBODY);
    atomic_store(&l->holder, w->id);
}

static void give(struct lock *l)
{
    atomic_store(&l->holder, NOBODY);
    pthread_mutex_unlock(&l->mutex);
}

static void *work(void *arg)
{
    struct worker *w = arg;
    const struct timespec hold = { 0, HOLD_NANOSECONDS };

    for (int i = 0; i < rounds; i++) {
        take(w, w->first);
        nanosleep(&hold, NULL);   /* work while holding it: the other thread
                                     takes its own first lock meanwhile */
        take(w, w->second);       /* thread 1 waits for B, thread 2 for A */
        atomic_fetch_add(&rounds_done, 1);
        give(w->second);
        give(w->first);
    }
    atomic_fetch_add(&workers_done, 1);
    return NULL;
}

/* --fix ordering: every thread takes the lower-ranked lock first. Then no
 * thread can hold B while waiting for A, and the cycle cannot form. */
static void order_locks(struct worker *w)
{
    if (w->first->rank > w->second->rank) {
        struct lock *swap = w->first;
        w->first = w->second;
        w->second = swap;
    }
}

/* "A", "A and B" or "nothing": the locks worker `id` holds. */
static const char *held_by(int id, char *out, size_t size)
{
    int a = atomic_load(&locks[0].holder) == id, b = atomic_load(&locks[1].holder) == id;
    snprintf(out, size, "%s", a && b ? "A and B" : a ? "A" : b ? "B" : "nothing");
    return out;
}

/* The worker that the worker `id` waits for, or NOBODY. */
static int waits_for_worker(const struct worker *workers, int id)
{
    int lock = atomic_load(&workers[id - 1].waiting_for);
    return lock == NOBODY ? NOBODY : atomic_load(&locks[lock].holder);
}

/* The watchdog's diagnosis: who holds what, who waits for what, and
 * whether the waits form a cycle (then nothing can ever move again). */
static void report_stall(const struct worker *workers, double stalled)
{
    char held[16];

    printf("watchdog: no round finished for %.2f s (%ld of %d rounds done)\n",
           stalled, atomic_load(&rounds_done), 2 * rounds);
    for (int i = 0; i < 2; i++) {
        const struct worker *w = &workers[i];
        int lock = atomic_load(&w->waiting_for);
        printf("  thread %d (takes %s then %s): holds %s, waits for %s\n", w->id,
               w->first->name, w->second->name, held_by(w->id, held, sizeof held),
               lock == NOBODY ? "nothing" : locks[lock].name);
    }
    if (waits_for_worker(workers, 1) == 2 && waits_for_worker(workers, 2) == 1)
        printf("watchdog: thread 1 waits for thread 2, which waits for thread 1: "
               "a deadlock\n");
    else
        printf("watchdog: stalled, but no cycle of waits: slow, not deadlocked\n");
}

/* Waits until both workers are done (0) or no round has finished for
 * STALL_SECONDS; then reports the stall and returns -1. */
static int watch(const struct worker *workers)
{
    const struct timespec tick = { 0, 10 * 1000 * 1000 };
    long last = -1;
    double since = timeline_now();

    while (atomic_load(&workers_done) < 2) {
        nanosleep(&tick, NULL);
        long done = atomic_load(&rounds_done);
        double now = timeline_now();
        if (done != last) {
            last = done;
            since = now;
        } else if (now - since >= STALL_SECONDS) {
            report_stall(workers, now - since);
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    const struct args_option options[] = {
        { "--rounds", "rounds per thread, each taking both locks (default 100)", &rounds,
          1, 100000, NULL, NULL },
        { "--fix", "none: opposite orders; ordering: one global order",
          NULL, 0, 0, &fix, fix_names },
    };
    int rc = args_parse(argc, argv, "Two threads take two locks, in opposite orders.",
                        options, 2);
    if (rc != ARGS_RUN)
        return rc;

    struct worker workers[2] = {
        { .id = 1, .first = &locks[0], .second = &locks[1], .waiting_for = NOBODY },
        { .id = 2, .first = &locks[1], .second = &locks[0], .waiting_for = NOBODY },
    };
    printf("deadlock: 2 threads x %d rounds, --fix %s\n", rounds, fix_names[fix]);
    for (int i = 0; i < 2; i++) {
        if (fix == FIX_ORDERING)
            order_locks(&workers[i]);
        printf("  thread %d takes %s then %s\n", i + 1, workers[i].first->name,
               workers[i].second->name);
    }
    fflush(stdout);
    double t0 = timeline_now();
    for (int i = 0; i < 2; i++) {
        int err = pthread_create(&workers[i].thread, NULL, work, &workers[i]);
        if (err != 0) {
            fprintf(stderr, "deadlock: pthread_create: %s\n", strerror(err));
            exit(1);   /* the other thread may hold a lock: end the process */
        }
    }
    if (watch(workers) != 0) {
        printf("watchdog: exiting, since a stuck thread can never be freed\n");
        exit(1);   /* the workers are still blocked: ending the process ends them */
    }
    for (int i = 0; i < 2; i++)
        pthread_join(workers[i].thread, NULL);
    printf("%ld rounds in %.3f s, never stalled\n", atomic_load(&rounds_done),
           timeline_now() - t0);
    return 0;
}
