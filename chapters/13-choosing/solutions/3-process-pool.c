/* Solution 3 (chapter 13): a pool of N processes. Worker k fetches URLs
 * k, k+N, k+2N... into a results table in memory shared with the parent
 * (mmap, MAP_SHARED | MAP_ANONYMOUS, made before the fork: after it, both
 * see the same pages). No pipes, no copying: each slot has one writer.
 * Left out: --save (the bodies stay in the workers, which free them).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fetch.h"
#include "fetchcli.h"

static void work(struct fetch_result *shared, int n, int first, int step, double timeout)
{
    for (int i = first; i < n; i += step) {
        fetch_blocking(&shared[i], timeout);
        free(shared[i].body);          /* the parent could not read it anyway */
        shared[i].body = NULL;
    }
}

int main(int argc, char **argv)
{
    struct fetch_job job;
    int processes = 4, started = 0;
    struct fetchcli_option options[] = {
        { "--processes", "N", "worker processes (default 4)", &processes, 1, 64, NULL },
    };
    int rc = fetchcli_parse(&job, argc, argv, "process-pool",
                            "Fetch the URLs in a pool of N worker processes.", options, 1);
    if (rc != FETCHCLI_RUN)
        return rc;
    size_t size = (size_t)job.n * sizeof *job.results;
    struct fetch_result *shared = mmap(NULL, size, PROT_READ | PROT_WRITE,
                                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) {
        fprintf(stderr, "process-pool: mmap: %s\n", strerror(errno));
        return 1;
    }
    memcpy(shared, job.results, size);
    for (; started < processes && started < job.n; started++) {
        pid_t pid = fork();
        if (pid < 0) {
            fprintf(stderr, "process-pool: fork: %s\n", strerror(errno));
            break;
        }
        if (pid == 0) {
            work(shared, job.n, started, processes, job.timeout);
            _exit(0);                  /* not exit: the parent owns the job */
        }
    }
    if (started == 0)
        work(shared, job.n, 0, 1, job.timeout);
    for (int i = started; i > 0;)      /* every worker, EINTR or not */
        if (wait(NULL) > 0 || errno != EINTR)
            i--;
    if (started < processes && started > 0)
        for (int i = 0; i < job.n; i++)  /* slots of workers never forked */
            if (i % processes >= started) {
                fetch_blocking(&shared[i], job.timeout);
                free(shared[i].body);
                shared[i].body = NULL;
            }
    memcpy(job.results, shared, size);
    munmap(shared, size);
    return fetchcli_finish(&job);
}
