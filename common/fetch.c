/* fetch: one URL with blocking calls, the lesson of chapter 01: connect,
 * send the request, read until the response is complete. Each call waits,
 * and while it waits this thread can do nothing else. The calls that wait
 * come in a struct fetch_io, so that chapter 10 can give the same code
 * calls that park a coroutine instead.
 * Left out: redirects, retries, keep-alive (common/pool); the timeout covers
 * the whole fetch.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "fetch.h"
#include "http.h"
#include "net.h"
#include "timeline.h"
#include "trace.h"
#include "url.h"

/* A failed call: its deadline, or what errno says. Returns -1. */
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

/* The connected fd, or -1. */
static int connect_to(const struct fetch_io *io, struct fetch_result *r, const struct url *u,
                      double deadline, double timeout)
{
    char err[NET_ERR_LEN];
    int fd = io->connect(u->host, u->port, deadline, err, sizeof err);
    trace_fd(fd, "connected");
    if (fd < 0 && errno == ETIMEDOUT)
        return fail_io(r, "connect", timeout);
    if (fd < 0)
        report_fail(r, "%s", err);   /* "connect 127.0.0.1:1: Connection refused" */
    return fd;
}

/* Sends the GET for u on fd. */
static int send_request(const struct fetch_io *io, struct fetch_result *r, int fd,
                        const struct url *u, double deadline, double timeout)
{
    char request[URL_HOST_MAX + URL_PATH_MAX + 128];
    int len = http_format_get(request, sizeof request, u);
    if (len < 0) {
        report_fail(r, "request too long");
        return -1;
    }
    if (io->write_all(fd, request, (size_t)len, deadline) < 0)
        return fail_io(r, "send", timeout);
    trace_fd(fd, "sent %d bytes", len);
    return 0;
}

/* Reads into res until it is complete. */
static int read_response(const struct fetch_io *io, struct fetch_result *r, int fd,
                         struct http_response *res, double deadline, double timeout)
{
    char buf[16 * 1024], err[HTTP_ERR_LEN];
    enum http_progress progress = HTTP_MORE;
    while (progress == HTTP_MORE) {
        ssize_t n = io->read_some(fd, buf, sizeof buf, deadline);   /* waits here */
        if (n < 0)
            return fail_io(r, "read", timeout);
        trace_fd(fd, "read %zd bytes%s", n, n == 0 ? " (end of stream)" : "");
        if (n == 0)
            progress = http_response_eof(res, err, sizeof err);   /* the server closed */
        else
            progress = http_response_feed(res, buf, (size_t)n, err, sizeof err);
    }
    if (progress == HTTP_ERROR) {
        report_fail(r, "%s", err);
        return -1;
    }
    return 0;
}

int fetch_with(const struct fetch_io *io, struct fetch_result *r, double timeout)
{
    struct url u;
    struct http_response res;
    int fd = -1, rc = -1;
    r->start = timeline_now();
    double deadline = r->start + timeout;   /* one deadline for the whole fetch */
    http_response_init(&res);
    if (parse_url(r, &u) == 0           /* then three steps, each waiting for: */
        && (fd = connect_to(io, r, &u, deadline, timeout)) >= 0    /* the handshake */
        && send_request(io, r, fd, &u, deadline, timeout) == 0     /* buffer room */
        && read_response(io, r, fd, &res, deadline, timeout) == 0) {   /* every byte */
        r->status = res.status;
        r->body = res.body;        /* the result owns the body now */
        r->bytes = res.body_len;
        res.body = NULL;
        rc = 0;
    }
    trace_fd(fd, "close");
    net_close(fd);
    http_response_free(&res);
    r->end = timeline_now();
    return rc;
}

int fetch_blocking(struct fetch_result *r, double timeout)
{
    static const struct fetch_io blocking = { net_connect, net_write_all, net_read_some };
    return fetch_with(&blocking, r, timeout);
}

enum http_progress fetch_read_nb(int fd, struct http_response *res, char *err, size_t errlen)
{
    char buf[16 * 1024];
    size_t n;
    enum net_nb got = net_read_nb(fd, buf, sizeof buf, &n);
    if (got == NET_AGAIN)
        return HTTP_MORE;                 /* woken too early: wait again */
    if (got == NET_ERROR) {
        snprintf(err, errlen, "read: %s", strerror(errno));
        return HTTP_ERROR;
    }
    trace_fd(fd, "read %zu bytes%s", n, got == NET_END ? " (end of stream)" : "");
    if (got == NET_END)
        return http_response_eof(res, err, errlen);
    return http_response_feed(res, buf, n, err, errlen);
}
