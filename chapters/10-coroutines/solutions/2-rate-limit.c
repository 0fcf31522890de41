/* Solution 2 (chapter 10): rate limiting with co_sleep. Fetch i waits
 * i/R seconds before it starts, so at most R start per second.
 * Left out: bursts (a token bucket), per-host rates.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "co.h"
#include "fetchcli.h"
#include "http.h"
#include "net.h"
#include "reactor.h"
#include "timeline.h"
#include "url.h"

struct task {
    struct fetch_result *result;
    double timeout;
    int index;                 /* 0-based position in the URL list */
};

static int option;             /* --rate: fetches started per second */

/* Chapter 10's fetch_coroutine, folded into one function. */
static void fetch_one(struct fetch_result *r, double timeout)
{
    struct url u;
    struct http_response res;
    char request[URL_HOST_MAX + URL_PATH_MAX + 128], buf[16 * 1024], err[NET_ERR_LEN];
    enum http_progress progress = HTTP_MORE;
    int len, fd = -1;
    ssize_t n;

    r->start = timeline_now();
    double deadline = r->start + timeout;
    http_response_init(&res);
    if (url_parse(r->url, &u, err, sizeof err) < 0
        || (len = http_format_get(request, sizeof request, &u)) < 0
        || (fd = co_connect(u.host, u.port, deadline, err, sizeof err)) < 0) {
        report_fail(r, "%s", err);
    } else if (co_write(fd, request, (size_t)len, deadline) < 0) {
        report_fail(r, "send: %s", strerror(errno));
    } else {
        while (progress == HTTP_MORE && (n = co_read(fd, buf, sizeof buf, deadline)) >= 0)
            progress = n == 0 ? http_response_eof(&res, err, sizeof err)
                              : http_response_feed(&res, buf, (size_t)n, err, sizeof err);
        if (progress == HTTP_MORE)
            report_fail(r, "read: %s", strerror(errno));
        else if (progress == HTTP_ERROR)
            report_fail(r, "%s", err);
        else {
            r->status = res.status;
            r->body = res.body;
            r->bytes = res.body_len;
            res.body = NULL;
        }
    }
    net_close(fd);
    http_response_free(&res);
    r->end = timeline_now();
}

static void run_task(void *arg)
{
    struct task *t = arg;
    co_sleep((double)t->index / option);   /* my slot: parks, the others run */
    fetch_one(t->result, t->timeout);
}

int main(int argc, char **argv)
{
    struct fetch_job job;
    struct fetchcli_option options[] = {
        { "--rate", "N", "start at most N fetches per second (default 10)", &option, 1, 100000, NULL },
    };
    option = 10;
    int rc = fetchcli_parse(&job, argc, argv, "coroutines", "Fetch the URLs with coroutines, at most N started per second.", options, 1);
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
