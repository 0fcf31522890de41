/* Exercise 04.3 (exercises/3-ticket-lock.md): a fair lock, like the ticket
 * machine at a bakery: take a number, wait until that number is served.
 * Four threads add to a shared counter through ticket_lock() and
 * ticket_unlock(), and check that they are never two inside at once.
 * Exit 0 when the lock worked (exact count, never two inside), 1 if not.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#define THREADS 4
#define ROUNDS 20000    /* lock, work, unlock: per thread */
#define WORK 300        /* a microsecond or so of work inside the lock */

struct ticket_lock {
    atomic_uint next_ticket;   /* the number the next arrival takes */
    atomic_uint now_serving;   /* the number allowed in */
};

/* Waits until the caller may enter, in order of arrival. TODO: this and
 * ticket_unlock, with the two atomic counters of the struct. */
static void ticket_lock(struct ticket_lock *l)
{
    (void)l;   /* TODO */
}

static void ticket_unlock(struct ticket_lock *l)
{
    (void)l;   /* TODO */
}

static struct ticket_lock lock;
static long counter;                /* protected by lock */
static atomic_int inside;           /* threads in the critical section now */
static atomic_int overlaps;         /* times two were inside at once */
static pthread_barrier_t start_line;

static void *work(void *unused)
{
    (void)unused;
    pthread_barrier_wait(&start_line);   /* all start together */
    for (int i = 0; i < ROUNDS; i++) {
        ticket_lock(&lock);
        if (atomic_fetch_add(&inside, 1) != 0)
            atomic_fetch_add(&overlaps, 1);
        for (volatile int k = 0; k < WORK; k++)
            continue;
        counter++;
        atomic_fetch_sub(&inside, 1);
        ticket_unlock(&lock);
    }
    return NULL;
}

int main(void)
{
    pthread_t threads[THREADS];

    pthread_barrier_init(&start_line, NULL, THREADS);
    for (int t = 0; t < THREADS; t++) {
        int err = pthread_create(&threads[t], NULL, work, NULL);
        if (err != 0) {
            fprintf(stderr, "ticket-lock: pthread_create: %s\n", strerror(err));
            return 1;
        }
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(threads[t], NULL);
    pthread_barrier_destroy(&start_line);
    printf("counter %ld, expected %ld; two threads inside at once: %d times\n",
           counter, (long)THREADS * ROUNDS, atomic_load(&overlaps));
    return counter == (long)THREADS * ROUNDS && atomic_load(&overlaps) == 0 ? 0 : 1;
}
