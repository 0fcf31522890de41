/* Exercise 1 (starter): stop early. Chapter 01's fetcher, unchanged: it
 * fetches every URL even when the first one already failed. Add
 * --max-failures N (see 1-max-failures.md); only main needs to change.
 */
#include "fetch.h"
#include "fetchcli.h"

int main(int argc, char **argv)
{
    struct fetch_job job;
    int rc = fetchcli_parse(&job, argc, argv, "blocking",
                            "Fetch the URLs one after another (chapter 01).", NULL, 0);
    if (rc != FETCHCLI_RUN)
        return rc;
    for (int i = 0; i < job.n; i++)
        fetch_blocking(&job.results[i], job.timeout);   /* returns when done */
    return fetchcli_finish(&job);
}
