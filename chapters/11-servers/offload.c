/* offload: the blocking server of sync/threads, but its handler does not
 * make the four backend calls itself: it hands them to a reactor running
 * in a side thread and waits for all four results, as the talk's last
 * example does with Tornado's IOLoop. The handler keeps its blocking
 * shape; the calls run at once. --threads N handlers share the reactor.
 * Left out: doing useful work while the calls run (the handler just waits;
 * that is where it could), cancelling calls of a client that left.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "aggregator.h"
#include "client.h"
#include "net.h"
#include "reactor.h"

#define CALL_TIMEOUT 10.0

/* One handler's request to the reactor: make these calls, tell me when. */
struct job {
    struct agg_calls *calls;
    int n_pending;              /* the reactor thread's alone */
    int done;                   /* under offload.lock */
    struct job *next;           /* in offload.queue */
};

/* The reactor thread and the queue handlers hand it jobs through. The
 * reactor is not thread-safe: only its own thread may touch it, so other
 * threads queue a job and write a byte to the wake pipe it watches. */
static struct {
    struct reactor *rx;
    int wake[2];
    pthread_mutex_t lock;
    pthread_cond_t job_done;
    struct job *queue;          /* under lock */
    int stopping;               /* under lock */
    int failed;                 /* under lock: reactor_run's errno once it failed */
} offload = { .lock = PTHREAD_MUTEX_INITIALIZER, .job_done = PTHREAD_COND_INITIALIZER };

/* ---- in the reactor thread ----------------------------------------- */

static void on_call_done(struct fetch_result *r, void *arg)
{
    struct job *job = arg;
    (void)r;
    if (--job->n_pending > 0)
        return;
    pthread_mutex_lock(&offload.lock);
    job->done = 1;              /* after the unlock, job may be gone */
    pthread_cond_broadcast(&offload.job_done);
    pthread_mutex_unlock(&offload.lock);
}

static void start_job(struct job *job)
{
    job->n_pending = AGG_CALLS;
    for (int i = 0; i < AGG_CALLS; i++) {
        struct fetch_result *r = &job->calls->results[i];
        if (client_get(offload.rx, r, CALL_TIMEOUT, on_call_done, job) == NULL) {
            report_fail(r, "client_get: %s", strerror(errno));
            on_call_done(r, job);
        }
    }
}

static void on_wake(struct reactor *rx, int fd, int events, void *arg)
{
    char bytes[64];
    (void)events;
    (void)arg;
    while (read(fd, bytes, sizeof bytes) > 0) {
        /* drain: one pass takes every job queued so far */
    }
    pthread_mutex_lock(&offload.lock);
    struct job *jobs = offload.queue;
    int stopping = offload.stopping;
    offload.queue = NULL;
    pthread_mutex_unlock(&offload.lock);
    for (struct job *next; jobs != NULL; jobs = next) {
        next = jobs->next;      /* read before start_job: done may free it */
        start_job(jobs);
    }
    if (stopping)
        reactor_stop(rx);
}

/* If the loop fails, no call will ever end: tell every handler that waits,
 * or will (the calls in flight are abandoned with the loop, unfreed). */
static void *reactor_thread(void *arg)
{
    (void)arg;
    if (reactor_run(offload.rx) == 0)
        return NULL;
    int err = errno;
    fprintf(stderr, "offload: reactor: %s\n", strerror(err));
    pthread_mutex_lock(&offload.lock);
    offload.failed = err;
    pthread_cond_broadcast(&offload.job_done);
    pthread_mutex_unlock(&offload.lock);
    return NULL;
}

/* ---- in the handler threads ---------------------------------------- */

static void wake_reactor(void)
{
    if (write(offload.wake[1], "w", 1) < 0 && errno != EAGAIN)
        fprintf(stderr, "offload: wake pipe: %s\n", strerror(errno));
}

/* The agg_call_fn of this server: looks blocking, runs on the reactor. */
static void call_offloaded(struct agg_server *s, struct agg_calls *calls)
{
    struct job job = { .calls = calls };
    (void)s;
    pthread_mutex_lock(&offload.lock);
    job.next = offload.queue;
    offload.queue = &job;
    pthread_mutex_unlock(&offload.lock);
    wake_reactor();
    /* Free to do other work here while the calls run; we just wait. */
    pthread_mutex_lock(&offload.lock);
    while (!job.done && !offload.failed)
        pthread_cond_wait(&offload.job_done, &offload.lock);
    if (!job.done) {            /* no call will ever end: answer 502, saying why */
        offload.queue = NULL;   /* each job there is failed by its own handler */
        for (int i = 0; i < AGG_CALLS; i++)
            report_fail(&calls->results[i], "the reactor thread failed: %s",
                        strerror(offload.failed));
    }
    pthread_mutex_unlock(&offload.lock);
}

/* ---- main ---------------------------------------------------------- */

static int start_reactor_thread(pthread_t *thread)
{
    int err;
    if ((offload.rx = reactor_new()) == NULL || pipe(offload.wake) < 0
        || net_set_nonblocking(offload.wake[0]) < 0 || net_set_nonblocking(offload.wake[1]) < 0
        || reactor_watch(offload.rx, offload.wake[0], REACTOR_READ, on_wake, NULL) < 0) {
        fprintf(stderr, "offload: setting up the reactor: %s\n", strerror(errno));
        return -1;
    }
    if ((err = pthread_create(thread, NULL, reactor_thread, NULL)) != 0) {
        fprintf(stderr, "offload: pthread_create: %s\n", strerror(err));
        return -1;
    }
    return 0;
}

static void stop_reactor_thread(pthread_t thread)
{
    pthread_mutex_lock(&offload.lock);
    offload.stopping = 1;
    pthread_mutex_unlock(&offload.lock);
    wake_reactor();
    pthread_join(thread, NULL);
}

int main(int argc, char **argv)
{
    struct agg_options o;
    struct agg_server s;
    pthread_t thread;
    int rc = agg_parse_options(argc, argv,
                               "Blocking handlers that hand their calls to a reactor thread.",
                               AGG_OPT_THREADS, &o);
    if (rc != AGG_RUN)
        return rc;
    offload.wake[0] = offload.wake[1] = -1;
    rc = 1;
    if (agg_server_start(&s, "offload", &o) == 0 && start_reactor_thread(&thread) == 0) {
        rc = agg_serve_in_threads(&s, o.threads, call_offloaded) < 0;
        stop_reactor_thread(thread);
    }
    if (offload.rx != NULL)
        reactor_unwatch(offload.rx, offload.wake[0]);
    reactor_free(offload.rx);
    net_close(offload.wake[0]);
    net_close(offload.wake[1]);
    agg_server_close(&s);
    return rc;
}
