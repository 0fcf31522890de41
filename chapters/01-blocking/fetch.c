/* Chapter 01: the blocking fetcher. One URL at a time: connect, send,
 * read until the page is complete, and only then start on the next URL.
 * While one fetch waits for its server, this program does nothing at all,
 * so the total time is the sum of all the waits: a staircase.
 * The fetch itself, fetch_blocking(), is in common/fetch.c: chapters 02-05
 * reuse it unchanged and only change how the fetches are arranged.
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
