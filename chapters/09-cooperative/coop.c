/* coop: CPU-bound work on a reactor that also fetches pages and keeps a
 * heartbeat (a timer every 50 ms, like a server's keep-alives). Three ways
 * to do the work, and what each does to the heartbeat:
 *   blocking     one loop, inside a reactor callback
 *   cooperative  the same loop in small steps (cooperate.c)
 *   thread       the loop in a worker thread; the result comes back
 *                through a pipe the reactor watches
 * Left out: several jobs at once, cancelling a thread.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cooperate.h"
#include "deferred.h"
#include "page.h"
#include "reactor.h"
#include "timeline.h"

#define HEARTBEAT 0.050        /* seconds between heartbeats */
#define STEP_NUMBERS 2000      /* numbers tested per cooperative step */

/* The work: count the primes below `limit`, by trial division. */
struct primes {
    long next, limit, count;
};

static int is_prime(long n)
{
    if (n < 2)
        return 0;
    for (long d = 2; d * d <= n; d++)
        if (n % d == 0)
            return 0;
    return 1;
}

/* Tests up to `how_many` more numbers; 1 while numbers are left. */
static int primes_advance(struct primes *p, long how_many)
{
    for (long end = p->next + how_many; p->next < end && p->next < p->limit; p->next++)
        p->count += is_prime(p->next);
    return p->next < p->limit;
}

struct run {
    struct reactor *reactor;
    struct primes work;
    int work_done, pages_left;
    double start, work_end, pages_end, last_beat, worst_lateness;
    int beats;
    struct timer beat, blocking_start;
    struct coop_task *task;
    int pipe_fds[2];
    pthread_t worker;
    int worker_started;        /* run_variant joins it, on every path */
};

/* When all is done the heartbeat stops rescheduling itself, after one
 * last beat: a loop held for a second still owes us that beat's lateness. */
static int all_done(const struct run *run)
{
    return run->work_done && run->pages_left == 0;
}

static void heartbeat(struct reactor *r, void *arg)
{
    struct run *run = arg;
    double now = timeline_now();
    double lateness = now - (run->last_beat + HEARTBEAT);   /* how much too late */
    if (lateness > run->worst_lateness)
        run->worst_lateness = lateness;
    run->last_beat = now;
    run->beats++;
    if (!all_done(run) && reactor_call_later(r, &run->beat, HEARTBEAT, heartbeat, run) < 0)
        perror("coop: reactor_call_later");
}

static void work_finished(struct run *run)
{
    run->work_done = 1;
    run->work_end = timeline_now();
}

/* ---- (a) blocking: the whole loop in one callback ----------------------- */

static void work_blocking(struct reactor *r, void *arg)
{
    struct run *run = arg;
    (void)r;
    primes_advance(&run->work, run->work.limit);   /* the loop waits for this */
    work_finished(run);
}

/* ---- (b) cooperative: the same loop in steps --------------------------- */

static enum coop_step primes_step(void *arg)
{
    struct run *run = arg;
    return primes_advance(&run->work, STEP_NUMBERS) ? COOP_MORE : COOP_DONE;
}

static void primes_done(enum coop_end how, void *arg)
{
    (void)how;
    work_finished(arg);
}

/* ---- (c) a worker thread, its result through a pipe ------------------ */

static void *worker(void *arg)
{
    struct run *run = arg;
    struct primes work = run->work;           /* its own copy: nothing shared */
    primes_advance(&work, work.limit);
    if (write(run->pipe_fds[1], &work.count, sizeof work.count) != sizeof work.count)
        perror("coop: worker: write");
    return NULL;
}

static void result_arrived(struct reactor *r, int fd, int events, void *arg)
{
    struct run *run = arg;
    long count;   /* a local: TSan sees read() write it before the pipe orders it */
    (void)events;
    if (read(fd, &count, sizeof count) != sizeof count)
        perror("coop: read from the worker");
    else
        run->work.count = count;
    reactor_unwatch(r, fd);                   /* one result: nothing more to read */
    work_finished(run);
}

static int start_work(struct run *run, const char *variant)
{
    if (strcmp(variant, "blocking") == 0)
        return reactor_call_soon(run->reactor, &run->blocking_start, work_blocking, run);
    if (strcmp(variant, "cooperative") == 0) {
        if ((run->task = cooperate(run->reactor, primes_step, run)) == NULL)
            return -1;
        coop_when_done(run->task, primes_done, run);
        return 0;
    }
    if (pipe(run->pipe_fds) < 0)
        return -1;
    if (reactor_watch(run->reactor, run->pipe_fds[0], REACTOR_READ, result_arrived, run) < 0)
        return -1;
    errno = pthread_create(&run->worker, NULL, worker, run);
    run->worker_started = errno == 0;
    return errno == 0 ? 0 : -1;
}

static struct outcome page_arrived(void *value, void *arg)
{
    struct run *run = arg;
    page_free(value);
    run->pages_end = timeline_now();
    run->pages_left--;
    return deferred_ok(NULL);
}

static struct outcome page_failed(void *error, void *arg)
{
    fprintf(stderr, "coop: a page failed: %s\n", error ? (char *)error : "out of memory");
    free(error);
    return page_arrived(NULL, arg);
}

/* Runs one variant and prints its line. 0, or -1 on a system error. */
static int run_variant(const char *variant, long limit, char **urls, int n_urls)
{
    struct run run = { .work = { 0, limit, 0 }, .pages_left = n_urls, .pipe_fds = { -1, -1 } };
    struct deferred **pages = calloc((size_t)n_urls + 1, sizeof *pages);
    if (pages == NULL || (run.reactor = reactor_new()) == NULL) {
        free(pages);
        return -1;
    }
    run.start = run.last_beat = timeline_now();
    int rc = reactor_call_later(run.reactor, &run.beat, HEARTBEAT, heartbeat, &run);
    for (int i = 0; rc == 0 && i < n_urls; i++) {
        pages[i] = fetch_page(run.reactor, urls[i], 10.0);
        if (pages[i] == NULL || deferred_add_callbacks(pages[i], page_arrived, page_failed, &run) < 0)
            rc = -1;
    }
    if (rc == 0 && start_work(&run, variant) == 0 && reactor_run(run.reactor) == 0)
        printf("%-12s %9ld primes  work %6.3f s  pages %6.3f s  %3d beats"
               "  worst lateness %6.3f s\n", variant, run.work.count, run.work_end - run.start,
               n_urls ? run.pages_end - run.start : 0.0, run.beats, run.worst_lateness);
    else
        rc = -1;
    for (int i = 0; i < n_urls; i++)
        deferred_free(pages[i]);
    free(pages);
    coop_free(run.task);
    /* Even when reactor_run failed: the worker still writes to the pipe
     * and reads `run`, which lives on this stack. Join before closing. */
    if (run.worker_started)
        pthread_join(run.worker, NULL);
    if (run.pipe_fds[0] >= 0) {
        close(run.pipe_fds[0]);
        close(run.pipe_fds[1]);
    }
    reactor_free(run.reactor);
    return rc;
}

static int usage(FILE *out, int code)
{
    fprintf(out, "usage: coop [--variant blocking|cooperative|thread|all] [--limit N] [URL...]\n"
                 "Counts the primes below N (default 3000000) on a reactor that beats every\n"
                 "50 ms and fetches the URLs; prints the worst heartbeat lateness.\n");
    return code;
}

int main(int argc, char **argv)
{
    const char *variant = "all";
    long limit = 3000000;
    int i = 1;
    signal(SIGPIPE, SIG_IGN);   /* a server that closes early: EPIPE, not death */
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        if (strcmp(argv[i], "--help") == 0)
            return usage(stdout, 0);
        char *end = NULL;
        if (i + 1 >= argc)
            return usage(stderr, 2);
        if (strcmp(argv[i], "--variant") == 0)
            variant = argv[i + 1];
        else if (strcmp(argv[i], "--limit") == 0
                 && ((limit = strtol(argv[i + 1], &end, 10)) < 1 || *end != '\0'))
            return usage(stderr, 2);
        else if (strcmp(argv[i], "--limit") != 0)
            return usage(stderr, 2);
    }
    const char *variants[] = { "blocking", "cooperative", "thread" };
    int ran = 0;
    for (int v = 0; v < 3; v++) {
        if (strcmp(variant, "all") != 0 && strcmp(variant, variants[v]) != 0)
            continue;
        ran++;
        if (run_variant(variants[v], limit, argv + i, argc - i) < 0) {
            fprintf(stderr, "coop: %s: %s\n", variants[v], strerror(errno));
            return 1;
        }
    }
    return ran ? 0 : usage(stderr, 2);
}
