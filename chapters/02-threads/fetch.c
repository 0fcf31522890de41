/* Chapter 02: a thread per URL. Each thread runs chapter 01's
 * fetch_blocking() on its own result slot; the main thread starts them all,
 * then joins them all. The waits now overlap, so the total is about the
 * slowest delay instead of the sum.
 * Left out: reusing threads (chapter 03), sharing anything between them
 * (chapter 04 shows what goes wrong when you do).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch.h"
#include "fetchcli.h"

#define DEFAULT_MAX_THREADS 1000

/* What one thread needs. It writes only to *result, and nobody else touches
 * *result until pthread_join has returned: the join is the synchronisation. */
struct fetcher {
    pthread_t thread;
    struct fetch_result *result;   /* this thread's own slot */
    double timeout;                /* set before the thread starts, then read-only */
    int started;
};

static void *fetch_thread(void *arg)
{
    struct fetcher *f = arg;
    fetch_blocking(f->result, f->timeout);   /* blocks this thread only */
    return NULL;
}

/* Starts one thread per result. A thread that cannot be started (EAGAIN:
 * out of memory for its stack, or over a thread limit) fails its URL only. */
static void start_threads(struct fetcher *fetchers, struct fetch_result *results,
                          int count, double timeout)
{
    for (int i = 0; i < count; i++) {
        struct fetcher *f = &fetchers[i];
        f->result = &results[i];
        f->timeout = timeout;
        int err = pthread_create(&f->thread, NULL, fetch_thread, f);
        f->started = (err == 0);
        if (err != 0)   /* pthread_* return the error; they do not set errno */
            report_fail(f->result, "thread not started: pthread_create: %s", strerror(err));
    }
}

/* Waits for every thread that was started. */
static void join_threads(struct fetcher *fetchers, int count)
{
    for (int i = 0; i < count; i++) {
        if (!fetchers[i].started)
            continue;
        int err = pthread_join(fetchers[i].thread, NULL);   /* waits for the slowest */
        if (err != 0)
            fprintf(stderr, "threads: pthread_join: %s\n", strerror(err));
    }
}

int main(int argc, char **argv)
{
    int max_threads = DEFAULT_MAX_THREADS;
    const struct fetchcli_option options[] = {
        { "--max-threads", "N",
          "at most N threads at once (default 1000); more URLs than N are "
          "fetched in batches of N, each batch joined before the next starts",
          &max_threads, 1, 100000, NULL },
    };
    struct fetch_job job;
    int rc = fetchcli_parse(&job, argc, argv, "threads",
                            "Fetch the URLs at once, one thread per URL (chapter 02).",
                            options, 1);
    if (rc != FETCHCLI_RUN)
        return rc;

    int batch = job.n < max_threads ? job.n : max_threads;
    struct fetcher *fetchers = calloc((size_t)batch, sizeof *fetchers);
    if (fetchers == NULL) {
        for (int i = 0; i < job.n; i++)
            report_fail(&job.results[i], "out of memory for the threads");
        return fetchcli_finish(&job);
    }
    /* Usually one batch: every URL at once. With more URLs than
     * --max-threads, each batch waits for its slowest page before the next
     * batch starts; chapter 03's pool does better. */
    for (int first = 0; first < job.n; first += batch) {
        int count = job.n - first < batch ? job.n - first : batch;
        start_threads(fetchers, &job.results[first], count, job.timeout);
        join_threads(fetchers, count);
    }
    free(fetchers);
    return fetchcli_finish(&job);   /* every thread is joined: safe to read */
}
