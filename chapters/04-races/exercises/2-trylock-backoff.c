/* Exercise 04.2 (exercises/2-trylock-backoff.md): two threads move money
 * between two accounts, and each locks the account it takes from first:
 * thread 1 locks A then B, thread 2 locks B then A.
 * A watchdog (the main thread) ends the program with exit 1 when no
 * transfer has happened for half a second.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timeline.h"

#define TRANSFERS 200   /* per thread */

struct account {
    const char *name;
    long balance;
    pthread_mutex_t lock;
};

static struct account accounts[2] = {
    { "A", 1000, PTHREAD_MUTEX_INITIALIZER },
    { "B", 1000, PTHREAD_MUTEX_INITIALIZER },
};
static atomic_long transfers_done;

static void pause_for(long nanoseconds)
{
    struct timespec t = { 0, nanoseconds };
    nanosleep(&t, NULL);
}

/* Returns with both accounts locked. TODO: as it is, the two threads
 * deadlock; keep the lock orders, and make the deadlock impossible. */
static void lock_both(struct account *from, struct account *to)
{
    pthread_mutex_lock(&from->lock);
    pause_for(200 * 1000);          /* checking the balance takes a moment */
    pthread_mutex_lock(&to->lock);
}

static void transfer(struct account *from, struct account *to, long amount)
{
    lock_both(from, to);
    from->balance -= amount;
    to->balance += amount;
    pthread_mutex_unlock(&to->lock);
    pthread_mutex_unlock(&from->lock);
    atomic_fetch_add(&transfers_done, 1);
}

static void *mover(void *arg)
{
    struct account *from = arg, *to = from == &accounts[0] ? &accounts[1] : &accounts[0];

    for (int i = 0; i < TRANSFERS; i++)
        transfer(from, to, 1);
    return NULL;
}

/* Returns when every transfer is done; exits 1 on a stall. */
static void watch(void)
{
    long last = -1;
    double since = timeline_now();

    while (atomic_load(&transfers_done) < 2 * TRANSFERS) {
        pause_for(10 * 1000 * 1000);
        long done = atomic_load(&transfers_done);
        if (done != last) {
            last = done;
            since = timeline_now();
        } else if (timeline_now() - since > 0.5) {
            printf("stalled after %ld transfers: deadlock\n", done);
            exit(1);
        }
    }
}

int main(void)
{
    pthread_t threads[2];

    for (int i = 0; i < 2; i++) {
        int err = pthread_create(&threads[i], NULL, mover, &accounts[i]);
        if (err != 0) {
            fprintf(stderr, "trylock-backoff: pthread_create: %s\n", strerror(err));
            exit(1);
        }
    }
    watch();
    for (int i = 0; i < 2; i++)
        pthread_join(threads[i], NULL);
    long a = accounts[0].balance, b = accounts[1].balance;
    printf("%ld transfers; A %ld + B %ld = %ld\n", atomic_load(&transfers_done), a, b, a + b);
    return a == 1000 && b == 1000 ? 0 : 1;
}
