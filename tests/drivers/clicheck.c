/* clicheck: a fake fetcher for tests/cli.bats. It parses the shared command
 * line, prints the options it got, then "fetches" without any network: each
 * URL gets the body "hello N\n", except URLs containing "fail", which fail.
 * Times are made up (task i runs from 0.1*(i-1) to 0.1*i s after t0) so that
 * the report and the timeline are exact. Left out: everything real.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetchcli.h"

static void fake_fetch(struct fetch_result *r, int index, double t0)
{
    r->start = t0 + 0.1 * (index - 1);
    r->end = r->start + 0.1;
    if (strstr(r->url, "fail")) {
        report_fail(r, "planned failure");
        return;
    }
    char text[32];
    int len = snprintf(text, sizeof text, "hello %d\n", index);
    r->body = malloc((size_t)len);
    if (r->body == NULL) {
        report_fail(r, "out of memory");
        return;
    }
    memcpy(r->body, text, (size_t)len);
    r->bytes = (size_t)len;
    r->status = 200;
}

int main(int argc, char **argv)
{
    int workers = 5;
    const char *backend = "none";
    const struct fetchcli_option options[] = {
        { "--workers", "N", "worker threads (default 5)", &workers, 1, 1000, NULL },
        { "--backend", "NAME", "any word, echoed (default none)", NULL, 0, 0, &backend },
    };
    struct fetch_job job;

    int rc = fetchcli_parse(&job, argc, argv, "clicheck",
                            "A fake fetcher that tests the shared command line.",
                            options, 2);
    if (rc != FETCHCLI_RUN)
        return rc;
    printf("options: workers=%d backend=%s timeout=%g timeline=%d save=%s\n",
           workers, backend, job.timeout, job.show_timeline,
           job.save_dir ? job.save_dir : "-");
    for (int i = 0; i < job.n; i++)
        fake_fetch(&job.results[i], i + 1, job.t0);
    rc = fetchcli_finish(&job);
    if (fetchcli_finish(&job) != 0)   /* a second finish must be harmless */
        return 3;
    return rc;
}
