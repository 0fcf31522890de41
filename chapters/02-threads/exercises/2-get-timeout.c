/* Exercise 02.2 (exercises/2-get-timeout.md): tqt_get_timeout, a tq_get
 * that gives up after a while, in this file's own copy of the ThreadQueue
 * (tqt_*). Usage: 2-get-timeout BASE_URL   (billing takes 1 s; we wait 0.3 s for it)
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch.h"
#include "timeline.h"

/* ---- the ThreadQueue: change this part ---------------------------------- */

struct tqt_task {
    const char *name;
    pthread_t thread;
    int joined;
    void *result;
};

#define TQT_MAX 8
struct tqt {
    struct tqt_task tasks[TQT_MAX];
    int n;
};

static int tqt_run(struct tqt *q, const char *name, void *(*fn)(void *), void *arg)
{
    if (q->n == TQT_MAX) {
        errno = ENOSPC;
        return -1;
    }
    struct tqt_task *t = &q->tasks[q->n];
    int err = pthread_create(&t->thread, NULL, fn, arg);
    if (err != 0) {
        errno = err;
        return -1;
    }
    t->name = name;
    t->joined = 0;
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

/* Like tq_get, but waits at most `seconds`: -1 with errno ETIMEDOUT when
 * the task is still running then (it goes on; a later get still works). */
static int tqt_get_timeout(struct tqt *q, const char *name, double seconds, void **result)
{
    struct tqt_task *t = tqt_find(q, name);
    if (t == NULL) {
        errno = ENOENT;
        return -1;
    }
    (void)seconds;                 /* TODO: give up after `seconds` */
    if (!t->joined && pthread_join(t->thread, &t->result) == 0)
        t->joined = 1;
    *result = t->result;
    return 0;
}

static int tqt_get(struct tqt *q, const char *name, void **result)
{
    return tqt_get_timeout(q, name, 1e6, result);
}

static void tqt_free(struct tqt *q)
{
    for (int i = 0; i < q->n; i++)
        if (!q->tasks[i].joined)
            pthread_join(q->tasks[i].thread, NULL);
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
