/* Chapter 10: the fetcher with coroutines. Each URL gets a coroutine that
 * runs chapter 01's fetch (common/fetch.c), the very same code, with
 * co_connect, co_write and co_read in place of net_connect, net_write_all
 * and net_read_some. Those park the coroutine on the reactor instead of
 * blocking, so all the fetches wait at once, on one thread. --blocking N
 * shows the price of forgetting.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "co.h"
#include "fetch.h"
#include "fetchcli.h"
#include "reactor.h"

struct task {
    struct fetch_result *result;
    double timeout;
    int blocking;   /* the mistake: use chapter 01's fetch_blocking */
};

/* Chapter 01's fetch (common/fetch.c: fetch_with), the very same code,
 * given co.h's calls: where fetch_blocking's calls wait, these park. */
static const struct fetch_io parking = { co_connect, co_write, co_read };

static void run_task(void *arg)
{
    struct task *t = arg;
    if (t->blocking)
        fetch_blocking(t->result, t->timeout);   /* blocks: every coroutine waits */
    else
        fetch_with(&parking, t->result, t->timeout);   /* parks: the loop runs the others */
}

/* A coroutine per URL (URL number `blocking` fetched the blocking way),
 * then the loop until every one has returned. */
static void run_tasks(struct reactor *reactor, struct fetch_job *job, struct task *tasks,
                      int blocking)
{
    for (int i = 0; i < job->n; i++) {
        tasks[i] = (struct task){ &job->results[i], job->timeout, blocking == i + 1 };
        if (co_spawn(reactor, run_task, &tasks[i]) < 0)
            report_fail(&job->results[i], "co_spawn: %s", strerror(errno));
    }
    if (reactor_run(reactor) < 0) {   /* returns when every coroutine has returned */
        int err = errno;              /* waiting failed: a bug, not the network */
        for (int i = 0; i < job->n; i++)
            if (job->results[i].end == 0)   /* not finished, or never started */
                report_fail(&job->results[i], "reactor_run: %s", strerror(err));
        co_fail_all(err);             /* the parked ones unwind: fds closed, stacks freed */
    }
}

int main(int argc, char **argv)
{
    struct fetch_job job;
    int blocking = 0;
    struct fetchcli_option options[] = {
        { "--blocking", "N", "fetch URL N with chapter 01's blocking code (the mistake)",
          &blocking, 0, 1000000, NULL },
        FETCHCLI_BACKEND, FETCHCLI_TRACE,
    };
    int rc = fetchcli_parse(&job, argc, argv, "coroutines",
                            "Fetch the URLs at once, one coroutine each (chapter 10).",
                            options, 3);
    if (rc != FETCHCLI_RUN)
        return rc;
    struct reactor *reactor = reactor_new_backend(job.backend);
    struct task *tasks = calloc((size_t)job.n, sizeof *tasks);
    if (reactor == NULL || tasks == NULL) {
        perror("coroutines: out of memory");
        exit(1);
    }
    run_tasks(reactor, &job, tasks, blocking);
    free(tasks);
    reactor_free(reactor);
    return fetchcli_finish(&job);
}
