/* Exercise 02.2 (solution): tqt_get_timeout. A task no longer runs fn
 * directly: a wrapper stores the result and sets `done` under the task's
 * mutex, then broadcasts; a get waits on the condition variable with a
 * deadline on CLOCK_MONOTONIC. Joining is left to tqt_free.
 * Usage: 2-get-timeout BASE_URL   (billing takes 1 s; we wait 0.3 s for it)
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fetch.h"
#include "timeline.h"

/* ---- the ThreadQueue: change this part ---------------------------------- */

struct tqt_task {
    const char *name;
    pthread_t thread;
    void *(*fn)(void *);
    void *arg;
    pthread_mutex_t lock;
    pthread_cond_t finished;       /* broadcast once, when done becomes 1 */
    int done;                      /* guarded by lock */
    void *result;                  /* written before done = 1 */
};

#define TQT_MAX 8
struct tqt {
    struct tqt_task tasks[TQT_MAX];
    int n;
};

static void *perform(void *arg)
{
    struct tqt_task *t = arg;
    void *result = t->fn(t->arg);
    pthread_mutex_lock(&t->lock);
    t->result = result;
    t->done = 1;
    pthread_cond_broadcast(&t->finished);
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

/* A condition variable that times out on the monotonic clock. */
static int init_task_sync(struct tqt_task *t)
{
    pthread_condattr_t attr;
    int err = pthread_condattr_init(&attr);
    if (err == 0) {
        err = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
        if (err == 0)
            err = pthread_cond_init(&t->finished, &attr);
        pthread_condattr_destroy(&attr);
    }
    if (err == 0 && (err = pthread_mutex_init(&t->lock, NULL)) != 0)
        pthread_cond_destroy(&t->finished);
    return err;
}

static int tqt_run(struct tqt *q, const char *name, void *(*fn)(void *), void *arg)
{
    if (q->n == TQT_MAX) {
        errno = ENOSPC;
        return -1;
    }
    struct tqt_task *t = &q->tasks[q->n];
    *t = (struct tqt_task){ .name = name, .fn = fn, .arg = arg };
    int err = init_task_sync(t);
    if (err == 0 && (err = pthread_create(&t->thread, NULL, perform, t)) != 0) {
        pthread_cond_destroy(&t->finished);
        pthread_mutex_destroy(&t->lock);
    }
    if (err != 0) {
        errno = err;
        return -1;
    }
    q->n++;
    return 0;
}

static struct tqt_task *tqt_find(struct tqt *q, const char *name)
{
    for (int i = 0; i < q->n; i++)
        if (strcmp(q->tasks[i].name, name) == 0)
            return &q->tasks[i];
    return NULL;
}

/* Now + seconds on CLOCK_MONOTONIC, as pthread_cond_timedwait wants it. */
static struct timespec deadline_after(double seconds)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    long long ns = ts.tv_nsec + (long long)(seconds * 1e9);
    ts.tv_sec += (time_t)(ns / 1000000000);
    ts.tv_nsec = (long)(ns % 1000000000);
    return ts;
}

/* Like tq_get, but waits at most `seconds`: -1 with errno ETIMEDOUT when
 * the task is still running then (it goes on; a later get still works). */
static int tqt_get_timeout(struct tqt *q, const char *name, double seconds, void **result)
{
    struct tqt_task *t = tqt_find(q, name);
    if (t == NULL) {
        errno = ENOENT;
        return -1;
    }
    struct timespec deadline = deadline_after(seconds);
    int err = 0;
    pthread_mutex_lock(&t->lock);
    while (!t->done && err != ETIMEDOUT)      /* wakeups may be spurious */
        err = pthread_cond_timedwait(&t->finished, &t->lock, &deadline);
    int done = t->done;
    *result = t->result;
    pthread_mutex_unlock(&t->lock);
    if (!done) {
        errno = ETIMEDOUT;
        return -1;
    }
    return 0;
}

static int tqt_get(struct tqt *q, const char *name, void **result)
{
    return tqt_get_timeout(q, name, 1e6, result);
}

static void tqt_free(struct tqt *q)
{
    for (int i = 0; i < q->n; i++) {
        pthread_join(q->tasks[i].thread, NULL);
        pthread_cond_destroy(&q->tasks[i].finished);
        pthread_mutex_destroy(&q->tasks[i].lock);
    }
}

/* ---- the program: leave this part as it is ------------------------------ */

struct call {
    const char *name;
    double delay, patience;        /* how slow it is; how long we wait for it */
    char url[512];
    struct fetch_result result;
};

static void *call_service(void *arg)
{
    struct call *c = arg;
    fetch_blocking(&c->result, 10.0);
    return &c->result;
}

static void print_result(const char *name, void *value, double t0)
{
    const struct fetch_result *r = value;
    printf("%s: %d at %.3f s\n", name, r->status, timeline_now() - t0);
}

int main(int argc, char **argv)
{
    struct call calls[] = {
        { "privileges", 0.1, 0.5, "", { 0 } },
        { "billing", 1.0, 0.3, "", { 0 } },
    };
    struct tqt q = { .n = 0 };
    void *value;

    if (argc != 2) {
        fprintf(stderr, "usage: %s BASE_URL\n", argv[0]);
        return 2;
    }
    double t0 = timeline_now();
    for (int i = 0; i < 2; i++) {
        snprintf(calls[i].url, sizeof calls[i].url, "%s/slow?delay=%g", argv[1], calls[i].delay);
        calls[i].result.url = calls[i].url;
        if (tqt_run(&q, calls[i].name, call_service, &calls[i]) != 0) {
            fprintf(stderr, "tqt_run %s: %s\n", calls[i].name, strerror(errno));
            return 1;
        }
    }
    for (int i = 0; i < 2; i++) {
        if (tqt_get_timeout(&q, calls[i].name, calls[i].patience, &value) == 0)
            print_result(calls[i].name, value, t0);
        else if (errno == ETIMEDOUT)
            printf("%s: not ready after %.2f s, at %.3f s\n",
                   calls[i].name, calls[i].patience, timeline_now() - t0);
    }
    if (tqt_get(&q, "billing", &value) == 0)   /* now wait for it for real */
        print_result("billing", value, t0);
    tqt_free(&q);
    for (int i = 0; i < 2; i++)
        free(calls[i].result.body);
    return 0;
}
