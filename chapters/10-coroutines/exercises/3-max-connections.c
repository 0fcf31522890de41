/* Exercise 3 (chapter 10): at most N connections at once. --max N is
 * read and ignored: every coroutine connects at once.
 * See 3-max-connections.md. Left out: per-host limits, fairness.
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

static int option;             /* --max: connections at once */

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
    /* TODO: wait here while `option` fetches are under way */
    fetch_one(t->result, t->timeout);
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
