/* Exercise 02.3 (exercises/3-first-failure.md): a ThreadQueue whose
 * tqf_first_failure() returns the name of the first task that failed, as
 * soon as one has, and NULL once all succeeded. Usage: 3-first-failure URL...
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
struct tqf_task {
    const char *name;
    pthread_t thread;
    tqf_task_fn *fn;
    void *arg;
    int rc;
};

struct tqf {
    struct tqf_task tasks[TQF_MAX];
    int n;
};

static void *perform(void *arg)
{
    struct tqf_task *t = arg;
    t->rc = t->fn(t->arg);
    return NULL;
}

static int tqf_run(struct tqf *q, const char *name, tqf_task_fn *fn, void *arg)
{
    if (q->n == TQF_MAX) {
        errno = ENOSPC;
        return -1;
    }
    struct tqf_task *t = &q->tasks[q->n];
    *t = (struct tqf_task){ .name = name, .fn = fn, .arg = arg };
    int err = pthread_create(&t->thread, NULL, perform, t);
    if (err != 0) {
        errno = err;
        return -1;
    }
    q->n++;
    return 0;
}

/* The name of the first task to fail, as soon as one has failed; NULL
 * when every task has finished without failing. */
static const char *tqf_first_failure(struct tqf *q)
{
    for (int i = 0; i < q->n; i++)     /* TODO: answer as soon as one fails */
        pthread_join(q->tasks[i].thread, NULL);
    for (int i = 0; i < q->n; i++)
        if (q->tasks[i].rc != 0)
            return q->tasks[i].name;
    q->n = 0;                          /* joined: tqf_free must not join again */
    return NULL;
}

/* Waits for every task, then forgets them. */
static void tqf_free(struct tqf *q)
{
    (void)q;                           /* tqf_first_failure joined them all */
}

/* ---- the program: leave this part as it is ------------------------------ */

static int fetch_task(void *arg)
{
    return fetch_blocking(arg, 5.0);
}

int main(int argc, char **argv)
{
    struct tqf q = { .n = 0 };
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
