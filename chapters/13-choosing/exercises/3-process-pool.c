/* Exercise 3 (chapter 13): a new model for the compare table, a pool of N
 * processes. Today this fetches one URL after another, like chapter 01.
 * Make it fork --processes N workers; worker k fetches URLs k, k+N, k+2N...
 * into a results table the parent can read: memory shared through
 * mmap(MAP_SHARED | MAP_ANONYMOUS) before the fork. The parent waits for
 * every worker, then copies the table back into job.results.
 * Left out: --save (the bodies stay in the workers: free them there).
 */
#include "fetch.h"
#include "fetchcli.h"

int main(int argc, char **argv)
{
    struct fetch_job job;
    int processes = 4;
    struct fetchcli_option options[] = {
        { "--processes", "N", "worker processes (default 4)", &processes, 1, 64, NULL },
    };
    int rc = fetchcli_parse(&job, argc, argv, "process-pool",
                            "Fetch the URLs in a pool of N worker processes.", options, 1);
    if (rc != FETCHCLI_RUN)
        return rc;
    for (int i = 0; i < job.n; i++)
        fetch_blocking(&job.results[i], job.timeout);
    return fetchcli_finish(&job);
}
