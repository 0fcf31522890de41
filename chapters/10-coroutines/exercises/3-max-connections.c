/* Exercise 3 (chapter 10): at most N connections at once. --max N is
 * read and ignored: every coroutine connects at once.
 * See 3-max-connections.md. Left out: per-host limits, fairness.
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
    int index;                 /* 0-based position in the URL list */
};

static int option;             /* --max: connections at once */

/* Chapter 10's fetch: chapter 01's code (common/fetch.c), given co.h's
 * calls, which park the coroutine where fetch_blocking's would block. */
static const struct fetch_io parking = { co_connect, co_write, co_read };

static void run_task(void *arg)
{
    struct task *t = arg;
    /* TODO: wait here while `option` fetches are under way */
    fetch_with(&parking, t->result, t->timeout);
}

int main(int argc, char **argv)
{
    struct fetch_job job;
    struct fetchcli_option options[] = {
        { "--max", "N", "at most N connections at once (default 4)", &option, 1, 100000, NULL },
    };
    option = 4;
    int rc = fetchcli_parse(&job, argc, argv, "coroutines", "Fetch the URLs with coroutines, at most N connections at once.", options, 1);
    if (rc != FETCHCLI_RUN)
        return rc;
    struct reactor *reactor = reactor_new();
    struct task *tasks = calloc((size_t)job.n, sizeof *tasks);
    if (reactor == NULL || tasks == NULL) {
        perror("coroutines: out of memory");
        exit(1);
    }
    for (int i = 0; i < job.n; i++) {
        tasks[i] = (struct task){ &job.results[i], job.timeout, i };
        if (co_spawn(reactor, run_task, &tasks[i]) < 0)
            report_fail(&job.results[i], "co_spawn: %s", strerror(errno));
    }
    if (reactor_run(reactor) < 0) {
        int err = errno;              /* waiting failed: a bug, not the network */
        for (int i = 0; i < job.n; i++)
            if (job.results[i].end == 0)   /* not finished, or never started */
                report_fail(&job.results[i], "reactor_run: %s", strerror(err));
        co_fail_all(err);             /* the parked ones unwind: fds closed, stacks freed */
    }
    free(tasks);
    reactor_free(reactor);
    return fetchcli_finish(&job);
}
