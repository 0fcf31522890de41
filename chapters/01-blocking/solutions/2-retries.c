/* Exercise 2 (solution): retries. A failed fetch is tried again, up to N
 * more times. Each attempt starts from a clean result (report_fail keeps the
 * first error it is given), and the result line spans all the attempts.
 * Left out: waiting between attempts (backoff), which a real client needs.
 */
#include <string.h>

#include "fetch.h"
#include "fetchcli.h"

/* Fetches r, trying up to 1 + retries times. */
static void fetch_with_retries(struct fetch_result *r, double timeout, int retries)
{
    double first_start = 0;

    for (int attempt = 0; attempt <= retries; attempt++) {
        r->error[0] = '\0';   /* forget the last attempt's error */
        if (fetch_blocking(r, timeout) == 0)
            break;
        if (attempt == 0)
            first_start = r->start;
    }
    if (first_start != 0)
        r->start = first_start;   /* the line shows the time of every attempt */
}

int main(int argc, char **argv)
{
    int retries = 0;
    const struct fetchcli_option options[] = {
        {"--retries", "N", "try a failed fetch again, up to N times (default 0)",
         &retries, 0, 10, NULL},
    };
    struct fetch_job job;
    int rc = fetchcli_parse(&job, argc, argv, "blocking",
                            "Fetch the URLs one after another (chapter 01).", options, 1);
    if (rc != FETCHCLI_RUN)
        return rc;
    for (int i = 0; i < job.n; i++)
        fetch_with_retries(&job.results[i], job.timeout, retries);
    return fetchcli_finish(&job);
}
