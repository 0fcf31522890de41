/* Exercise 1 (solution): stop early. After N failed fetches, the URLs left
 * are not fetched at all: each is marked failed with "not tried", so the
 * report still has one line per URL and the exit status is 1.
 */
#include "fetch.h"
#include "fetchcli.h"

int main(int argc, char **argv)
{
    int max_failures = 0;   /* 0: no limit, fetch everything */
    const struct fetchcli_option options[] = {
        {"--max-failures", "N", "stop after N failed fetches (default 0: never stop)",
         &max_failures, 0, 1000000, NULL},
    };
    struct fetch_job job;
    int rc = fetchcli_parse(&job, argc, argv, "blocking",
                            "Fetch the URLs one after another (chapter 01).", options, 1);
    if (rc != FETCHCLI_RUN)
        return rc;
    int failures = 0;
    for (int i = 0; i < job.n; i++) {
        if (max_failures > 0 && failures >= max_failures) {
            report_fail(&job.results[i], "not tried");   /* start, end stay 0: "-" */
            continue;
        }
        failures += fetch_blocking(&job.results[i], job.timeout) < 0;
    }
    return fetchcli_finish(&job);
}
