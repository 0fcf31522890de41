/* counter: N threads each add 1 to one shared counter M times, so the
 * answer should be N x M. Without a lock it is not: "counter++" is a load,
 * an add and a store, and two threads that load the same value both store
 * value + 1: one update is lost. --fix mutex and --fix atomic make every
 * increment count. Exit 0 when the count is exact, 1 when updates were lost.
 * Left out: per-thread counters summed at the end (no sharing at all: the
 * fastest fix, see the README).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "args.h"
#include "threads.h"
#include "timeline.h"

enum fix { FIX_NONE, FIX_MUTEX, FIX_ATOMIC };
static const char *const fix_names[] = { "none", "mutex", "atomic", NULL };


static int n_threads = 4, increments = 10000000, fix = FIX_NONE;

/* The shared state. `volatile` only stops the compiler from turning the
 * racy loop into one `counter += increments` (it may: nothing tells it
 * another thread is looking); it makes nothing atomic. */
static volatile long counter;
static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_long atomic_counter;

static void *add_racy(void *unused)
{
    (void)unused;
    for (int i = 0; i < increments; i++)
        counter++;   /* load, add 1, store: another thread may store in between */
    return NULL;
}

static void *add_with_mutex(void *unused)
{
    (void)unused;
    for (int i = 0; i < increments; i++) {
        pthread_mutex_lock(&counter_lock);     /* one thread at a time in here */
        counter++;
        pthread_mutex_unlock(&counter_lock);
    }
    return NULL;
}

static void *add_atomically(void *unused)
{
    (void)unused;
    for (int i = 0; i < increments; i++)   /* one indivisible read-modify-write */
        atomic_fetch_add_explicit(&atomic_counter, 1, memory_order_relaxed);
    return NULL;
}

int main(int argc, char **argv)
{
    const struct args_option options[] = {
        { "--threads", "threads to start (default 4)", &n_threads, 1, THREADS_MAX, NULL, NULL },
        { "--increments", "increments per thread (default 10000000)", &increments,
          1, 100000000, NULL, NULL },
        { "--fix", "protect the counter with nothing, a mutex or an atomic add",
          NULL, 0, 0, &fix, fix_names },
    };
    int rc = args_parse(argc, argv, "N threads add 1 to one shared counter M times each.",
                        options, 3);
    if (rc != ARGS_RUN)
        return rc;

    void *(*add[])(void *) = { add_racy, add_with_mutex, add_atomically };
    double t0 = timeline_now();
    if (threads_run("counter", n_threads, add[fix]) != 0)
        return 1;
    double seconds = timeline_now() - t0;

    long expected = (long)n_threads * increments;
    long got = fix == FIX_ATOMIC ? atomic_load(&atomic_counter) : counter;
    printf("counter: %d threads x %d increments, --fix %s\n", n_threads, increments,
           fix_names[fix]);
    if (got == expected) {
        printf("expected %ld, got %ld: exact, in %.3f s\n", expected, got, seconds);
        return 0;
    }
    printf("expected %ld, got %ld: %ld updates lost (%.1f%%), in %.3f s\n", expected, got,
           expected - got, 100.0 * (double)(expected - got) / (double)expected, seconds);
    return 1;
}
