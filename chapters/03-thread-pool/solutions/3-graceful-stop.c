/* Exercise 03.3 (solution): stop cleanly on SIGINT and SIGTERM. The
 * signals are blocked in every thread, and one watcher thread takes them
 * with sigwait(): it is an ordinary thread, so it may lock the pool's
 * mutex and mark the queued jobs cancelled (a signal handler may not).
 * The fetches under way finish; then the report, and exit 1.
 */
#include <pthread.h>
#include <signal.h>
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
    const char *cancelled_by;    /* "SIGINT" or "SIGTERM" once stopped */
};

/* Marks job `index` cancelled and completed. Called with the lock held. */
static void cancel_job(struct pool *p, int index)
{
    report_fail(&p->job->results[index], "cancelled by %s", p->cancelled_by);
    p->completed[p->n_completed++] = index;
    pthread_cond_signal(&p->work_done);
}

static void queue_put(struct pool *p, int index)
{
    pthread_mutex_lock(&p->lock);
    if (p->cancelled_by != NULL) {
        cancel_job(p, index);                /* stopped: nothing new starts */
    } else {
        p->queue[p->queue_tail++] = index;
        pthread_cond_signal(&p->work_ready); /* wake one idle worker */
    }
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

/* The signal watcher: waits for SIGINT or SIGTERM (SIGUSR1: quit), then
 * cancels every job still in the queue and closes it. */
static void *signal_watcher(void *arg)
{
    struct pool *p = arg;
    sigset_t set;
    int sig = 0;

    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR1);
    if (sigwait(&set, &sig) != 0 || sig == SIGUSR1)
        return NULL;
    pthread_mutex_lock(&p->lock);
    p->cancelled_by = sig == SIGINT ? "SIGINT" : "SIGTERM";
    while (p->queue_head < p->queue_tail)
        cancel_job(p, p->queue[p->queue_head++]);
    p->closed = 1;
    pthread_cond_broadcast(&p->work_ready);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* Blocks SIGINT, SIGTERM and SIGUSR1 in this thread and every thread it
 * starts from now on, so that only sigwait() receives them. The mask
 * before goes in *old. */
static int block_signals(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR1);
    return pthread_sigmask(SIG_BLOCK, &set, old);
}

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

/* kit: fetch.c#run_pool() */
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
/* end kit */

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
        pthread_t watcher;
        sigset_t old_mask;
        int err = block_signals(&old_mask);
        if (err == 0) {
            err = pthread_create(&watcher, NULL, signal_watcher, &p);
            if (err != 0)   /* no one would sigwait() for them: let them kill again */
                pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
        }
        if (err != 0)
            fprintf(stderr, "pool: no signal watcher: %s\n", strerror(err));
        run_pool(&p, workers, n_workers);
        if (err == 0) {
            pthread_kill(watcher, SIGUSR1);   /* done: let the watcher go */
            pthread_join(watcher, NULL);
        }
    }
    free(workers);
    free(p.queue);
    free(p.completed);
    return fetchcli_finish(&job);   /* every worker is joined: safe to read */
}
