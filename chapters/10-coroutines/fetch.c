/* Chapter 10: the fetcher with coroutines. Each URL gets a coroutine that
 * runs fetch_coroutine() below: chapter 01's fetch_blocking
 * (common/fetch.c), line for line, with net_connect, net_write_all and
 * net_read_some replaced by co_connect, co_write and co_read. Those park
 * the coroutine on the reactor instead of blocking, so all the fetches wait
 * at once, on one thread. --blocking N shows the price of forgetting.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "co.h"
#include "fetch.h"
#include "fetchcli.h"
#include "http.h"
#include "net.h"
#include "reactor.h"
#include "timeline.h"
#include "trace.h"
#include "url.h"

struct task {
    struct fetch_result *result;
    double timeout;
    int blocking;   /* the mistake: use chapter 01's fetch_blocking */
};

static int fail_io(struct fetch_result *r, const char *call, double timeout)
{
    if (errno == ETIMEDOUT)
        report_fail(r, "timed out after %.2f s", timeout);
    else
        report_fail(r, "%s: %s", call, strerror(errno));
    return -1;
}

static int parse_url(struct fetch_result *r, struct url *u)
{
    char err[URL_ERR_LEN];
    if (url_parse(r->url, u, err, sizeof err) == 0)
        return 0;
    report_fail(r, "%s", err);
    return -1;
}

static int connect_to(struct fetch_result *r, const struct url *u, double deadline,
                      double timeout)
{
    char err[NET_ERR_LEN];
    int fd = co_connect(u->host, u->port, deadline, err, sizeof err);   /* parks */
    trace_fd(fd, "connected");
    if (fd < 0 && errno == ETIMEDOUT)
        return fail_io(r, "connect", timeout);
    if (fd < 0)
        report_fail(r, "%s", err);
    return fd;
}

static int send_request(struct fetch_result *r, int fd, const struct url *u,
                        double deadline, double timeout)
{
    char request[URL_HOST_MAX + URL_PATH_MAX + 128];
    int len = http_format_get(request, sizeof request, u);
    if (len < 0) {
        report_fail(r, "request too long");
        return -1;
    }
    if (co_write(fd, request, (size_t)len, deadline) < 0)                 /* parks */
        return fail_io(r, "send", timeout);
    trace_fd(fd, "sent %d bytes", len);
    return 0;
}

static int read_response(struct fetch_result *r, int fd, struct http_response *res,
                         double deadline, double timeout)
{
    char buf[16 * 1024], err[HTTP_ERR_LEN];
    enum http_progress progress = HTTP_MORE;
    while (progress == HTTP_MORE) {
        ssize_t n = co_read(fd, buf, sizeof buf, deadline);                /* parks */
        if (n < 0)
            return fail_io(r, "read", timeout);
        trace_fd(fd, "read %zd bytes%s", n, n == 0 ? " (end of stream)" : "");
        if (n == 0)
            progress = http_response_eof(res, err, sizeof err);
        else
            progress = http_response_feed(res, buf, (size_t)n, err, sizeof err);
    }
    if (progress == HTTP_ERROR) {
        report_fail(r, "%s", err);
        return -1;
    }
    return 0;
}

/* slide:fetch_coroutine */
static void fetch_coroutine(struct fetch_result *r, double timeout)
{
    struct url u;
    struct http_response res;
    int fd = -1;

    r->start = timeline_now();
    double deadline = r->start + timeout;
    http_response_init(&res);
    if (parse_url(r, &u) == 0
        && (fd = connect_to(r, &u, deadline, timeout)) >= 0        /* parks: handshake */
        && send_request(r, fd, &u, deadline, timeout) == 0          /* parks: buffer room */
        && read_response(r, fd, &res, deadline, timeout) == 0) {    /* parks: every byte */
        r->status = res.status;
        r->body = res.body;
        r->bytes = res.body_len;
        res.body = NULL;
    }
    trace_fd(fd, "close");
    net_close(fd);
    http_response_free(&res);
    r->end = timeline_now();
}
/* end slide */

static void run_task(void *arg)
{
    struct task *t = arg;
    if (t->blocking)
        fetch_blocking(t->result, t->timeout);   /* blocks: every coroutine waits */
    else
        fetch_coroutine(t->result, t->timeout);
}

int main(int argc, char **argv)
{
    struct fetch_job job;
    int blocking = 0;
    struct fetchcli_option options[] = {
        { "--blocking", "N", "fetch URL N with chapter 01's blocking code (the mistake)",
          &blocking, 0, 1000000, NULL },
        FETCHCLI_BACKEND, FETCHCLI_TRACE,
    };
    int rc = fetchcli_parse(&job, argc, argv, "coroutines",
                            "Fetch the URLs at once, one coroutine each (chapter 10).",
                            options, 3);
    if (rc != FETCHCLI_RUN)
        return rc;
    struct reactor *reactor = reactor_new_backend(job.backend);
    struct task *tasks = calloc((size_t)job.n, sizeof *tasks);
    if (reactor == NULL || tasks == NULL) {
        perror("coroutines: out of memory");
        exit(1);
    }
    /* slide:spawn */
    for (int i = 0; i < job.n; i++) {
        tasks[i] = (struct task){ &job.results[i], job.timeout, blocking == i + 1 };
        if (co_spawn(reactor, run_task, &tasks[i]) < 0)
            report_fail(&job.results[i], "co_spawn: %s", strerror(errno));
    }
    if (reactor_run(reactor) < 0) {   /* returns when every coroutine has returned */
        int err = errno;              /* waiting failed: a bug, not the network */
        for (int i = 0; i < job.n; i++)
            if (job.results[i].end == 0)   /* not finished, or never started */
                report_fail(&job.results[i], "reactor_run: %s", strerror(err));
        co_fail_all(err);             /* the parked ones unwind: fds closed, stacks freed */
    }
    /* end slide */
    free(tasks);
    reactor_free(reactor);
    return fetchcli_finish(&job);
}
