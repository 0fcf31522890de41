/* Solution 3 (chapter 09): defer_to_thread, run a function in a thread and
 * get its result back on the reactor, through a pipe it watches.
 * Left out: a thread pool (Twisted's has 10 threads), cancellation.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "reactor.h"
#include "timeline.h"

#define HEARTBEAT 0.050
static struct timer beat;      /* the heartbeat's timer */

typedef long job_fn(long arg);
typedef void job_done_fn(long result, void *done_arg);

struct job {
    job_fn *fn;
    long arg, result;
    job_done_fn *done;
    void *done_arg;
    int pipe_fds[2];
    pthread_t thread;
};

/* The thread: compute, store, one byte to say so. Nothing else is shared. */
static void *run_job(void *arg)
{
    struct job *j = arg;
    j->result = j->fn(j->arg);
    if (write(j->pipe_fds[1], "", 1) != 1)
        perror("defer_to_thread: write");
    return NULL;
}

/* On the loop: the byte arrived, so the result is there. */
static void job_finished(struct reactor *r, int fd, int events, void *arg)
{
    struct job *j = arg;
    char byte;
    (void)events;
    if (read(fd, &byte, 1) != 1)
        perror("defer_to_thread: read");
    pthread_join(j->thread, NULL);   /* it has written: it is ending */
    reactor_unwatch(r, fd);
    close(j->pipe_fds[0]);
    close(j->pipe_fds[1]);
    j->done(j->result, j->done_arg);
    free(j);
}

/* Runs fn(arg) in a new thread; calls done(result, done_arg) from a
 * reactor handler once it has returned. 0, or -1 with errno. */
static int defer_to_thread(struct reactor *r, job_fn *fn, long arg, job_done_fn *done,
                           void *done_arg)
{
    struct job *j = malloc(sizeof *j);
    if (j == NULL)
        return -1;
    *j = (struct job){ .fn = fn, .arg = arg, .done = done, .done_arg = done_arg };
    if (pipe(j->pipe_fds) < 0) {
        free(j);
        return -1;
    }
    int err = reactor_watch(r, j->pipe_fds[0], REACTOR_READ, job_finished, j) < 0 ? errno
            : pthread_create(&j->thread, NULL, run_job, j);
    if (err != 0) {
        reactor_unwatch(r, j->pipe_fds[0]);
        close(j->pipe_fds[0]);
        close(j->pipe_fds[1]);
        free(j);
        errno = err;
        return -1;
    }
    return 0;
}

static long count_primes(long limit)
{
    long count = 0;
    for (long n = 2; n < limit; n++) {
        int prime = 1;
        for (long d = 2; d * d <= n && prime; d++)
            prime = n % d != 0;
        count += prime;
    }
    return count;
}

struct state {
    int jobs_left;
    double last_beat, worst_lateness;
    long limits[2];
};

static struct state state = { 2, 0, 0, { 2000000, 1000000 } };

/* A job's done function: report; the heartbeat stops after the last one. */
static void report(long result, void *limit)
{
    printf("job %ld: %ld primes\n", *(long *)limit, result);
    state.jobs_left--;
}

static void heartbeat(struct reactor *r, void *arg)
{
    struct state *s = arg;
    double now = timeline_now(), lateness = now - (s->last_beat + HEARTBEAT);
    if (lateness > s->worst_lateness)
        s->worst_lateness = lateness;
    s->last_beat = now;
    if (s->jobs_left > 0 && reactor_call_later(r, &beat, HEARTBEAT, heartbeat, s) < 0)
        perror("reactor_call_later");
}

int main(void)
{
    struct reactor *r = reactor_new();
    if (r == NULL)
        return 1;
    state.last_beat = timeline_now();
    if (reactor_call_later(r, &beat, HEARTBEAT, heartbeat, &state) < 0)
        return 1;
    for (int i = 0; i < 2; i++)
        if (defer_to_thread(r, count_primes, state.limits[i], report, &state.limits[i]) < 0) {
            perror("defer_to_thread");
            return 1;
        }
    reactor_run(r);
    printf("worst lateness %.3f s\n", state.worst_lateness);
    reactor_free(r);
    return 0;
}
