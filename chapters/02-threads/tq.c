/* tq: the ThreadQueue. A task is a name and a thread; tq_get is
 * pthread_join, which both waits and hands back the thread's return value,
 * so the queue needs no lock: the join is the synchronisation.
 * Left out: a faster lookup than a linear search (a queue holds a handful
 * of tasks), anything that needs a second thread to call tq_*.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "tq.h"

struct task {
    char *name;
    pthread_t thread;
    int joined;            /* pthread_join may be called once: remember it */
    void *result;          /* what the task returned, once joined */
    struct task *next;
};

struct tq {
    struct task *tasks;    /* newest first */
};

struct tq *tq_new(void)
{
    return calloc(1, sizeof(struct tq));
}

static struct task *find(const struct tq *q, const char *name)
{
    for (struct task *t = q->tasks; t != NULL; t = t->next)
        if (strcmp(t->name, name) == 0)
            return t;
    return NULL;
}

int tq_run(struct tq *q, const char *name, tq_task_fn *fn, void *arg)
{
    if (find(q, name) != NULL) {
        errno = EEXIST;
        return -1;
    }
    struct task *t = calloc(1, sizeof *t);
    if (t == NULL || (t->name = strdup(name)) == NULL) {
        free(t);
        return -1;                        /* errno is ENOMEM */
    }
    int err = pthread_create(&t->thread, NULL, fn, arg);   /* starts, returns */
    if (err != 0) {
        free(t->name);
        free(t);
        errno = err;
        return -1;
    }
    t->next = q->tasks;
    q->tasks = t;
    return 0;
}

static void join(struct task *t)
{
    if (!t->joined) {
        /* Fails only for a thread that is not joinable: a bug, not a case. */
        int err = pthread_join(t->thread, &t->result);
        if (err != 0)
            abort();
        t->joined = 1;
    }
}

int tq_get(struct tq *q, const char *name, void **result)
{
    struct task *t = find(q, name);
    if (t == NULL) {
        errno = ENOENT;
        return -1;
    }
    join(t);                   /* blocks only if the task is still running */
    *result = t->result;
    return 0;
}

void tq_free(struct tq *q)
{
    if (q == NULL)
        return;
    while (q->tasks != NULL) {
        struct task *t = q->tasks;
        q->tasks = t->next;
        join(t);
        free(t->name);
        free(t);
    }
    free(q);
}
