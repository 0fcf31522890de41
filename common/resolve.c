/* resolve: getaddrinfo on helper threads, answers back through a pipe.
 *
 *   loop:   resolve_start -> queue (mutex + condition variable) -> worker
 *   worker: getaddrinfo (blocks, but only this thread) -> write the job's
 *           pointer to the pipe
 *   loop:   the pipe is readable -> resolve_answers reads the pointers and
 *           calls each `done` (the reactor's watch calls it, or the caller)
 *
 * Up to RESOLVE_THREADS workers, started when lookups wait and none is
 * idle. When no answer is awaited any more (the last was delivered, or the
 * rest were cancelled) the pipe is closed and the workers are told to
 * leave, so an idle program holds no fd, and reactor_run can return.
 * Nobody waits for a worker: one still inside a cancelled lookup (a DNS
 * server that does not answer takes 5 s a try) frees the job itself when
 * getaddrinfo returns, or ends with the program. The threads are detached.
 *
 * Who frees a job: the worker, when it was cancelled before its answer
 * went into the pipe; the loop, when its pointer came out of the pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net.h"
#include "resolve.h"

struct resolve {
    char host[256];               /* a host name is at most 255 bytes */
    int port;
    resolve_fn *done;
    void *arg;
    int cancelled, answered;      /* under pool.lock; answered: in the pipe */
    struct addrinfo *list;        /* the answer, or NULL and err */
    char err[NET_ERR_LEN + 256];
    struct resolve *next;         /* in the queue */
};

static struct {
    pthread_mutex_t lock;
    pthread_cond_t work;          /* a job was queued, or quit was set */
    struct resolve *head, *tail;  /* waiting for a worker */
    int threads_n, idle, queued;
    int quit;                     /* idle workers leave */
    int exiting;                  /* the program ends: nobody reads the pipe */
    int pipe[2];                  /* workers write answers to [1]; -1: stopped */
    /* The loop's side only: */
    struct reactor *reactor;      /* watching pipe[0], or NULL: the caller's loop does */
    int outstanding;              /* answers the loop still awaits */
} pool = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL,
           0, 0, 0, 0, 0, { -1, -1 }, NULL, 0 };

/* getaddrinfo for TCP on any family, its failure as a message. */
static void lookup(struct resolve *q, int flags)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_NUMERICSERV | flags };
    char service[16];
    snprintf(service, sizeof service, "%d", q->port);
    int rc = getaddrinfo(q->host, service, &hints, &q->list);
    if (rc == 0)
        return;
    q->list = NULL;
    if (rc == EAI_SYSTEM)
        snprintf(q->err, sizeof q->err, "resolve %s: %s", q->host, strerror(errno));
    else
        snprintf(q->err, sizeof q->err, "resolve %s: %s", q->host, gai_strerror(rc));
}

/* A job nobody waits for: its answer, if any, and itself. */
static void drop(struct resolve *q)
{
    if (q->list != NULL)
        freeaddrinfo(q->list);
    free(q);
}

static void *worker(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&pool.lock);
    for (;;) {
        while (pool.head == NULL && !pool.quit)
            pthread_cond_wait(&pool.work, &pool.lock);
        if (pool.head == NULL)        /* told to leave, and nothing queued */
            break;
        struct resolve *q = pool.head;
        pool.head = q->next;
        if (pool.head == NULL)
            pool.tail = NULL;
        pool.queued--;
        pool.idle--;
        int cancelled = q->cancelled;
        pthread_mutex_unlock(&pool.lock);
        if (!cancelled)
            lookup(q, 0);             /* blocks this thread, not the loop */
        pthread_mutex_lock(&pool.lock);
        pool.idle++;
        if (q->cancelled || pool.exiting) {
            pthread_mutex_unlock(&pool.lock);
            drop(q);                  /* no answer is awaited: ours to free */
            pthread_mutex_lock(&pool.lock);
            continue;
        }
        /* The pointer is the message; a write this small is atomic. A full
         * pipe (thousands of answers unread) makes us wait for the loop,
         * not holding the lock. The pipe stays open until this answer is
         * read: the loop awaits it. */
        q->answered = 1;
        int fd = pool.pipe[1];
        pthread_mutex_unlock(&pool.lock);
        while (write(fd, &q, sizeof q) < 0 && errno == EINTR)
            ;
        pthread_mutex_lock(&pool.lock);
    }
    pool.idle--;
    pool.threads_n--;
    pthread_mutex_unlock(&pool.lock);
    return NULL;
}

/* No answer is awaited: the pipe goes and the workers are told to leave
 * (one inside a cancelled lookup leaves when it returns). */
static void pool_stop(void)
{
    if (pool.reactor != NULL)
        reactor_unwatch(pool.reactor, pool.pipe[0]);
    pool.reactor = NULL;
    pthread_mutex_lock(&pool.lock);
    close(pool.pipe[0]);
    close(pool.pipe[1]);
    pool.pipe[0] = pool.pipe[1] = -1;
    pool.quit = 1;
    pthread_cond_broadcast(&pool.work);
    pthread_mutex_unlock(&pool.lock);
}

/* Calls q's `done` (unless cancelled) and frees q. */
static void deliver(struct reactor *r, struct resolve *q, int cancelled)
{
    if (cancelled) {
        drop(q);
        return;
    }
    q->done(r, q->list, q->list == NULL ? q->err : NULL, q->arg);
    free(q);
}

void resolve_answers(void)
{
    struct resolve *batch[64];
    if (pool.pipe[0] < 0)
        return;                       /* nothing in flight */
    ssize_t n = read(pool.pipe[0], batch, sizeof batch);
    if (n <= 0)
        return;                       /* EAGAIN, EINTR: called again */
    for (size_t i = 0; i < (size_t)n / sizeof batch[0]; i++) {
        pthread_mutex_lock(&pool.lock);   /* orders the worker's writes before ours */
        int cancelled = batch[i]->cancelled;
        pthread_mutex_unlock(&pool.lock);
        pool.outstanding--;
        deliver(pool.reactor, batch[i], cancelled);
    }
    /* A `done` that failed to start a lookup may have stopped the pool. */
    if (pool.outstanding == 0 && pool.pipe[0] >= 0)
        pool_stop();
}

int resolve_fd(void)
{
    return pool.pipe[0];
}

static void on_answers(struct reactor *r, int fd, int events, void *arg)
{
    (void)r, (void)fd, (void)events, (void)arg;
    resolve_answers();
}

/* At exit: answers in the pipe nobody will read are freed; a worker
 * still inside getaddrinfo frees its job when it returns, if the program
 * lasts that long (its pointer is on the worker's stack until then); none
 * is waited for. The reactor may be gone, and is not touched. */
static void pool_exit(void)
{
    struct resolve *batch[64];
    ssize_t n;
    pthread_mutex_lock(&pool.lock);
    pool.exiting = 1;                 /* no worker writes to the pipe now */
    pool.quit = 1;
    pthread_cond_broadcast(&pool.work);
    if (pool.pipe[0] >= 0)
        while ((n = read(pool.pipe[0], batch, sizeof batch)) > 0)
            for (size_t i = 0; i < (size_t)n / sizeof batch[0]; i++)
                drop(batch[i]);
    pthread_mutex_unlock(&pool.lock);
}

/* The pipe (and the reactor's watch on it, given a reactor), made for the
 * first lookup in flight. */
static int pool_start(struct reactor *r)
{
    if (pool.pipe[0] >= 0 && pool.reactor == r)
        return 0;
    if (pool.pipe[0] >= 0) {          /* another loop's lookups are in flight */
        errno = EBUSY;
        return -1;
    }
    int fds[2];
    if (pipe(fds) < 0)
        return -1;
    pthread_mutex_lock(&pool.lock);   /* workers read pool.pipe under it */
    pool.pipe[0] = fds[0], pool.pipe[1] = fds[1];
    pool.quit = 0;                    /* idle workers may stay and serve */
    pthread_mutex_unlock(&pool.lock);
    if (fcntl(pool.pipe[0], F_SETFD, FD_CLOEXEC) < 0 || fcntl(pool.pipe[1], F_SETFD, FD_CLOEXEC) < 0
        || net_set_nonblocking(pool.pipe[0]) < 0
        || (r != NULL && reactor_watch(r, pool.pipe[0], REACTOR_READ, on_answers, NULL) < 0)) {
        pool_stop();
        return -1;
    }
    static int exit_set;
    if (!exit_set++ && atexit(pool_exit) != 0)
        exit_set = 0;
    pool.reactor = r;
    return 0;
}

/* Queues q for a worker, starting one when none is idle. */
static int enqueue(struct resolve *q)
{
    int rc = 0;
    pthread_mutex_lock(&pool.lock);
    /* One worker per lookup waiting, up to RESOLVE_THREADS: a slow name
     * must not hold up the next one while a thread could take it. */
    if (pool.queued >= pool.idle && pool.threads_n < RESOLVE_THREADS) {
        pthread_t t;
        rc = pthread_create(&t, NULL, worker, NULL);
        if (rc == 0) {
            pthread_detach(t);        /* never joined: see the top */
            pool.threads_n++;
            pool.idle++;
        }
    }
    if (rc == 0 || pool.threads_n > 0) {   /* a worker will get to it */
        q->next = NULL;
        if (pool.tail != NULL)
            pool.tail->next = q;
        else
            pool.head = q;
        pool.tail = q;
        pool.queued++;
        pthread_cond_signal(&pool.work);
        rc = 0;
    }
    pthread_mutex_unlock(&pool.lock);
    if (rc != 0)
        errno = rc;
    return rc == 0 ? 0 : -1;
}

struct addrinfo *resolve_numeric(const char *host, int port)
{
    struct resolve q = { .port = port };
    snprintf(q.host, sizeof q.host, "%s", host);
    lookup(&q, AI_NUMERICHOST);       /* never asks DNS: an address or nothing */
    return q.list;
}

struct resolve *resolve_start(struct reactor *r, const char *host, int port,
                              resolve_fn *done, void *arg)
{
    struct resolve *q = calloc(1, sizeof *q);
    if (q == NULL)
        return NULL;
    snprintf(q->host, sizeof q->host, "%s", host);
    q->port = port;
    q->done = done;
    q->arg = arg;
    if (pool_start(r) == 0) {
        if (enqueue(q) == 0) {
            pool.outstanding++;
            return q;
        }
        if (pool.outstanding == 0)
            pool_stop();
    }
    free(q);
    return NULL;
}

void resolve_cancel(struct resolve *q)
{
    if (q == NULL)
        return;
    pthread_mutex_lock(&pool.lock);
    q->cancelled = 1;                 /* whoever holds it frees it (see the top) */
    int answered = q->answered;
    pthread_mutex_unlock(&pool.lock);
    if (!answered && --pool.outstanding == 0)
        pool_stop();                  /* the loop need not wait for it */
}
