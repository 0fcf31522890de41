/* Exercise 3 (solution): where does the time go? Chapter 01's fetcher with
 * its own copy of the blocking fetch, noting when the connection was made
 * (net_connect returned) and when the first bytes of the answer arrived (the
 * first read that returned any). The rest of the time is the body arriving.
 * Left out: what common/fetch.c also does (request-too-long checks, ...).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetchcli.h"
#include "http.h"
#include "net.h"
#include "timeline.h"
#include "url.h"

/* When the first two waits of one fetch ended: timeline_now() values,
 * 0 when it never got that far. */
struct timing {
    double connected;    /* the TCP handshake is done */
    double first_byte;   /* the first bytes of the answer have arrived */
};

/* A failed call: its deadline, or what errno says. Returns -1. */
static int fail_io(struct fetch_result *r, const char *call, double timeout)
{
    if (errno == ETIMEDOUT)
        report_fail(r, "timed out after %.2f s", timeout);
    else
        report_fail(r, "%s: %s", call, strerror(errno));
    return -1;
}

/* Reads the answer on fd into res until it is complete. 0 or -1. */
static int read_response(struct fetch_result *r, int fd, struct http_response *res,
                         double deadline, double timeout, struct timing *t)
{
    char buf[16 * 1024], err[HTTP_ERR_LEN];
    enum http_progress progress = HTTP_MORE;
    while (progress == HTTP_MORE) {
        ssize_t n = net_read_some(fd, buf, sizeof buf, deadline);   /* waits here */
        if (n < 0)
            return fail_io(r, "read", timeout);
        if (n > 0 && t->first_byte == 0)
            t->first_byte = timeline_now();   /* the server has answered */
        progress = n == 0 ? http_response_eof(res, err, sizeof err)
                          : http_response_feed(res, buf, (size_t)n, err, sizeof err);
    }
    if (progress == HTTP_ERROR)
        report_fail(r, "%s", err);
    return progress == HTTP_DONE ? 0 : -1;
}

/* fetch_blocking (common/fetch.c), shortened, noting times into t. */
static void fetch_timed(struct fetch_result *r, double timeout, struct timing *t)
{
    struct url u;
    struct http_response res;
    char err[NET_ERR_LEN], request[URL_HOST_MAX + URL_PATH_MAX + 128];
    int fd = -1;

    r->start = timeline_now();
    double deadline = r->start + timeout;
    http_response_init(&res);
    if (url_parse(r->url, &u, err, sizeof err) < 0) {
        report_fail(r, "%s", err);
    } else if ((fd = net_connect(u.host, u.port, deadline, err, sizeof err)) < 0) {
        if (errno == ETIMEDOUT)
            fail_io(r, "connect", timeout);
        report_fail(r, "%s", err);   /* "connect 127.0.0.1:1: Connection refused" */
    } else {
        t->connected = timeline_now();   /* the handshake is done */
        int len = http_format_get(request, sizeof request, &u);
        if (len < 0)
            report_fail(r, "request too long");
        else if (net_write_all(fd, request, (size_t)len, deadline) < 0)
            fail_io(r, "send", timeout);
        else if (read_response(r, fd, &res, deadline, timeout, t) == 0) {
            r->status = res.status;
            r->body = res.body;   /* the result owns the body now */
            r->bytes = res.body_len;
            res.body = NULL;
        }
    }
    net_close(fd);
    http_response_free(&res);
    r->end = timeline_now();
}

/* A time since the fetch began, or "-" when it did not happen. */
static void print_since(double t, double start, int width)
{
    if (t == 0)
        printf("  %*s", width, "-");
    else
        printf("  %*.3f", width, t - start);
}

static void print_timings(const struct fetch_job *job, const struct timing *t)
{
    printf("  #  connected  first byte         end  url  (seconds since its start)\n");
    for (int i = 0; i < job->n; i++) {
        const struct fetch_result *r = &job->results[i];
        printf("%3d", i + 1);
        print_since(t[i].connected, r->start, 9);
        print_since(t[i].first_byte, r->start, 10);
        print_since(r->end, r->start, 10);
        printf("  %s\n", r->url);
    }
    printf("\n");
}

int main(int argc, char **argv)
{
    struct fetch_job job;
    int rc = fetchcli_parse(&job, argc, argv, "blocking",
                            "Fetch the URLs one after another, timing each wait.", NULL, 0);
    if (rc != FETCHCLI_RUN)
        return rc;
    struct timing *timings = calloc((size_t)job.n, sizeof *timings);   /* all 0 */
    if (timings == NULL) {
        fprintf(stderr, "%s: out of memory\n", argv[0]);
        fetchcli_finish(&job);   /* frees the job */
        return 1;
    }
    for (int i = 0; i < job.n; i++)
        fetch_timed(&job.results[i], job.timeout, &timings[i]);
    print_timings(&job, timings);
    free(timings);
    return fetchcli_finish(&job);
}
