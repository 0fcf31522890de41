/* Chapter 03: a thread pool. N worker threads take URLs from a work queue
 * (a mutex and a condition variable) and run chapter 01's fetch_blocking()
 * on each; the main thread puts the URLs in, then reports each fetch as it
 * completes, like Python's ThreadPoolExecutor and as_completed. With more
 * URLs than workers the time comes in waves of N.
 * Left out: a bound on the queue and a per-host limit (exercises).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch.h"
#include "fetchcli.h"

#define DEFAULT_WORKERS 5

/* Everything the threads share, and the one lock that guards it. */
struct pool {
    pthread_mutex_t lock;
    pthread_cond_t work_ready;   /* a job was queued, or the queue was closed */
    pthread_cond_t work_done;    /* a fetch completed */
    int *queue;                  /* URL indices waiting for a worker, FIFO */
    int queue_head, queue_tail;  /* take at head, put at tail */
    int closed;                  /* no more jobs will be put */
    int *completed;              /* URL indices in the order they finished */
    int n_completed;
    struct fetch_job *job;       /* results[i] belongs to whoever took job i */
};

static void queue_put(struct pool *p, int index)
{
    pthread_mutex_lock(&p->lock);
    p->queue[p->queue_tail++] = index;
    pthread_cond_signal(&p->work_ready);     /* wake one idle worker */
    pthread_mutex_unlock(&p->lock);
}

static void queue_close(struct pool *p)
{
    pthread_mutex_lock(&p->lock);
    p->closed = 1;
    pthread_cond_broadcast(&p->work_ready);  /* wake them all: time to go */
    pthread_mutex_unlock(&p->lock);
}

/* The next URL index, or -1 once the queue is empty and closed. */
static int queue_take(struct pool *p)
{
    pthread_mutex_lock(&p->lock);
    while (p->queue_head == p->queue_tail && !p->closed)
        pthread_cond_wait(&p->work_ready, &p->lock);   /* sleeps, unlocked */
    int index = p->queue_head < p->queue_tail ? p->queue[p->queue_head++] : -1;
    pthread_mutex_unlock(&p->lock);
    return index;
}

static void *worker(void *arg)
{
    struct pool *p = arg;
    int index;

    while ((index = queue_take(p)) >= 0) {
        fetch_blocking(&p->job->results[index], p->job->timeout);
        pthread_mutex_lock(&p->lock);        /* publishes the result, too */
        p->completed[p->n_completed++] = index;
        pthread_cond_signal(&p->work_done);
        pthread_mutex_unlock(&p->lock);
    }
    return NULL;   /* the queue is empty and closed */
}

/* Waits for the k-th completion (0-based) and returns its URL index. */
static int wait_completed(struct pool *p, int k)
{
    pthread_mutex_lock(&p->lock);
    while (p->n_completed <= k)
        pthread_cond_wait(&p->work_done, &p->lock);
    int index = p->completed[k];
    pthread_mutex_unlock(&p->lock);
    return index;
}

/* One line on stderr per completed fetch, in the order they complete. */
static void print_completed(const struct fetch_job *job, int k, int index)
{
    const struct fetch_result *r = &job->results[index];
    if (r->error[0] != '\0')
        fprintf(stderr, "pool: done %d/%d at %.3f s: #%d error  %s\n",
                k + 1, job->n, r->end - job->t0, index + 1, r->url);
    else
        fprintf(stderr, "pool: done %d/%d at %.3f s: #%d %d, %zu bytes  %s\n",
                k + 1, job->n, r->end - job->t0, index + 1, r->status, r->bytes, r->url);
}

/* Starts up to n workers; returns how many started (an error for each
 * one that did not). */
static int start_workers(struct pool *p, pthread_t *workers, int n)
{
    for (int i = 0; i < n; i++) {
        int err = pthread_create(&workers[i], NULL, worker, p);
        if (err != 0) {
            fprintf(stderr, "pool: only %d of %d workers: pthread_create: %s\n",
                    i, n, strerror(err));
            return i;
        }
    }
    return n;
}

static void run_pool(struct pool *p, pthread_t *workers, int n_workers)
{
    struct fetch_job *job = p->job;
    int started = start_workers(p, workers, n_workers);

    if (started == 0) {
        for (int i = 0; i < job->n; i++)
            report_fail(&job->results[i], "no worker thread could be started");
        return;
    }
    for (int i = 0; i < job->n; i++)
        queue_put(p, i);
    queue_close(p);               /* workers leave once it is empty */
    for (int k = 0; k < job->n; k++)
        print_completed(job, k, wait_completed(p, k));   /* as_completed */
    for (int i = 0; i < started; i++)
        pthread_join(workers[i], NULL);
}

int main(int argc, char **argv)
{
    int n_workers = DEFAULT_WORKERS;
    const struct fetchcli_option options[] = {
        { "--workers", "N", "worker threads in the pool (default 5)",
          &n_workers, 1, 1000, NULL },
    };
    struct fetch_job job;
    int rc = fetchcli_parse(&job, argc, argv, "pool",
                            "Fetch the URLs with a pool of worker threads (chapter 03).\n"
                            "Each fetch is reported on stderr as it completes.",
                            options, 1);
    if (rc != FETCHCLI_RUN)
        return rc;

    /* Static, so that the lock and conditions can use the initializers,
     * which cannot fail (pthread_mutex_init may). */
    static struct pool p = {
        .lock = PTHREAD_MUTEX_INITIALIZER,
        .work_ready = PTHREAD_COND_INITIALIZER,
        .work_done = PTHREAD_COND_INITIALIZER,
    };
    p.job = &job;
    pthread_t *workers = calloc((size_t)n_workers, sizeof *workers);
    p.queue = calloc((size_t)job.n, sizeof *p.queue);
    p.completed = calloc((size_t)job.n, sizeof *p.completed);
    if (workers == NULL || p.queue == NULL || p.completed == NULL) {
        for (int i = 0; i < job.n; i++)
            report_fail(&job.results[i], "out of memory for the pool");
    } else {
        run_pool(&p, workers, n_workers);
    }
    free(workers);
    free(p.queue);
    free(p.completed);
    return fetchcli_finish(&job);   /* every worker is joined: safe to read */
}
