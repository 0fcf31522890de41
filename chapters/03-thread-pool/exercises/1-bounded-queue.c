/* Exercise 03.1 (starter): bound the pool's queue. This is chapter 03's
 * pool with a --queue N option that is parsed but not yet obeyed: the
 * main thread queues every URL at once, however many there are. Make
 * queue_put wait while N jobs are waiting, so that a producer faster than
 * the workers is held back (back-pressure) and memory stays bounded.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch.h"
#include "fetchcli.h"
#include "timeline.h"

#define DEFAULT_WORKERS 5

/* Everything the threads share, and the one lock that guards it. */
struct pool {
    pthread_mutex_t lock;
    pthread_cond_t work_ready;   /* a job was queued, or the queue was closed */
    pthread_cond_t work_done;    /* a fetch completed */
    int *queue;                  /* URL indices waiting for a worker, FIFO */
    int queue_head, queue_tail;  /* take at head, put at tail */
    int queue_limit;             /* --queue: at most this many waiting (TODO) */
    int most_waiting;            /* the most jobs ever waiting at once */
    int closed;                  /* no more jobs will be put */
    int *completed;              /* URL indices in the order they finished */
    int n_completed;
    struct fetch_job *job;       /* results[i] belongs to whoever took job i */
};

static void queue_put(struct pool *p, int index)
{
    pthread_mutex_lock(&p->lock);
    p->queue[p->queue_tail++] = index;
    if (p->queue_tail - p->queue_head > p->most_waiting)
        p->most_waiting = p->queue_tail - p->queue_head;
    pthread_cond_signal(&p->work_ready);     /* wake one idle worker */
    pthread_mutex_unlock(&p->lock);
}

/* kit: fetch.c#queue_close() */
static void queue_close(struct pool *p)
{
    pthread_mutex_lock(&p->lock);
    p->closed = 1;
    pthread_cond_broadcast(&p->work_ready);  /* wake them all: time to go */
    pthread_mutex_unlock(&p->lock);
}
/* end kit */

/* The next URL index, or -1 once the queue is empty and closed. */
/* kit: fetch.c#queue_take() */
static int queue_take(struct pool *p)
{
    pthread_mutex_lock(&p->lock);
    while (p->queue_head == p->queue_tail && !p->closed)
        pthread_cond_wait(&p->work_ready, &p->lock);   /* sleeps, unlocked */
    int index = p->queue_head < p->queue_tail ? p->queue[p->queue_head++] : -1;
    pthread_mutex_unlock(&p->lock);
    return index;
}
/* end kit */

/* kit: fetch.c#worker() */
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
/* end kit */

/* Waits for the k-th completion (0-based) and returns its URL index. */
/* kit: fetch.c#wait_completed() */
static int wait_completed(struct pool *p, int k)
{
    pthread_mutex_lock(&p->lock);
    while (p->n_completed <= k)
        pthread_cond_wait(&p->work_done, &p->lock);
    int index = p->completed[k];
    pthread_mutex_unlock(&p->lock);
    return index;
}
/* end kit */

/* One line on stderr per completed fetch, in the order they complete. */
/* kit: fetch.c#print_completed() */
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
/* end kit */

/* Starts up to n workers; returns how many started (an error for each
 * one that did not). */
/* kit: fetch.c#start_workers() */
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
/* end kit */

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
    fprintf(stderr, "pool: all jobs queued at %.3f s\n", timeline_now() - job->t0);
    queue_close(p);               /* workers leave once it is empty */
    for (int k = 0; k < job->n; k++)
        print_completed(job, k, wait_completed(p, k));   /* as_completed */
    for (int i = 0; i < started; i++)
        pthread_join(workers[i], NULL);
    fprintf(stderr, "pool: at most %d jobs waited in the queue\n", p->most_waiting);
}

int main(int argc, char **argv)
{
    int n_workers = DEFAULT_WORKERS, queue_limit = 1000;
    const struct fetchcli_option options[] = {
        { "--workers", "N", "worker threads in the pool (default 5)",
          &n_workers, 1, 1000, NULL },
        { "--queue", "N", "at most N jobs wait in the queue (default 1000)",
          &queue_limit, 1, 1000, NULL },
    };
    struct fetch_job job;
    int rc = fetchcli_parse(&job, argc, argv, "pool",
                            "Fetch the URLs with a pool of worker threads (chapter 03).\n"
                            "Each fetch is reported on stderr as it completes.",
                            options, 2);
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
    p.queue_limit = queue_limit;
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
