/* Exercise 02.3 (solution): the tasks tell the queue when they finish,
 * under one queue-wide mutex, and broadcast; tqf_first_failure waits on
 * the condition "a task failed, or every task finished". Threads are
 * joined once, in tqf_free. Usage: 3-first-failure URL...
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch.h"
#include "timeline.h"

/* ---- the ThreadQueue: change this part ---------------------------------- */

typedef int tqf_task_fn(void *arg);   /* 0: it worked; -1: it failed */

#define TQF_MAX 64
struct tqf;

struct tqf_task {
    const char *name;
    pthread_t thread;
    tqf_task_fn *fn;
    void *arg;
    struct tqf *queue;
};

struct tqf {
    struct tqf_task tasks[TQF_MAX];
    int n;
    pthread_mutex_t lock;
    pthread_cond_t changed;          /* a task finished */
    int finished;                    /* guarded by lock, like first_failed */
    const char *first_failed;
};

static void *perform(void *arg)
{
    struct tqf_task *t = arg;
    int rc = t->fn(t->arg);
    struct tqf *q = t->queue;
    pthread_mutex_lock(&q->lock);
    q->finished++;
    if (rc != 0 && q->first_failed == NULL)
        q->first_failed = t->name;
    pthread_cond_broadcast(&q->changed);
    pthread_mutex_unlock(&q->lock);
    return NULL;
}

static int tqf_run(struct tqf *q, const char *name, tqf_task_fn *fn, void *arg)
{
    if (q->n == TQF_MAX) {
        errno = ENOSPC;
        return -1;
    }
    struct tqf_task *t = &q->tasks[q->n];
    *t = (struct tqf_task){ .name = name, .fn = fn, .arg = arg, .queue = q };
    pthread_mutex_lock(&q->lock);    /* q->n is read by waiters under the lock */
    int err = pthread_create(&t->thread, NULL, perform, t);
    if (err == 0)
        q->n++;
    pthread_mutex_unlock(&q->lock);
    if (err != 0) {
        errno = err;
        return -1;
    }
    return 0;
}

/* The name of the first task to fail, as soon as one has failed; NULL
 * when every task has finished without failing. */
static const char *tqf_first_failure(struct tqf *q)
{
    pthread_mutex_lock(&q->lock);
    while (q->first_failed == NULL && q->finished < q->n)
        pthread_cond_wait(&q->changed, &q->lock);
    const char *failed = q->first_failed;
    pthread_mutex_unlock(&q->lock);
    return failed;
}

/* Waits for every task, then forgets them. */
static void tqf_free(struct tqf *q)
{
    for (int i = 0; i < q->n; i++)
        pthread_join(q->tasks[i].thread, NULL);
    q->n = 0;
}

/* ---- the program: leave this part as it is ------------------------------ */

static int fetch_task(void *arg)
{
    return fetch_blocking(arg, 5.0);
}

int main(int argc, char **argv)
{
    static struct tqf q = {       /* static: the initializers cannot fail */
        .lock = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER,
    };
    int n = argc - 1;

    if (n < 1 || n > TQF_MAX) {
        fprintf(stderr, "usage: %s URL... (1 to %d URLs)\n", argv[0], TQF_MAX);
        return 2;
    }
    struct fetch_result *results = calloc((size_t)n, sizeof *results);
    if (results == NULL)
        return 1;
    double t0 = timeline_now();
    for (int i = 0; i < n; i++) {
        results[i].url = argv[i + 1];
        if (tqf_run(&q, argv[i + 1], fetch_task, &results[i]) != 0)
            fprintf(stderr, "tqf_run %s: %s\n", argv[i + 1], strerror(errno));
    }
    const char *failed = tqf_first_failure(&q);
    if (failed)
        printf("first failure at %.3f s: %s\n", timeline_now() - t0, failed);
    else
        printf("no failure, at %.3f s\n", timeline_now() - t0);
    tqf_free(&q);
    printf("all done at %.3f s\n", timeline_now() - t0);
    for (int i = 0; i < n; i++)
        free(results[i].body);
    free(results);
    return failed ? 1 : 0;
}
