/* fetch: fetch one URL with blocking calls: parse, connect, send the GET,
 * read until the response is complete. Chapter 01 teaches it; chapters
 * 02-05 run it in threads, pools and processes, unchanged; chapter 10 runs
 * the same code with calls that park a coroutine instead (fetch_with).
 * Left out: redirects, retries (an exercise), keep-alive (chapter 15 and
 * common/pool).
 */
#ifndef WAITLESS_FETCH_H
#define WAITLESS_FETCH_H

#include <stddef.h>
#include <sys/types.h>

#include "http.h"
#include "report.h"

/* The three calls a fetch waits in, each with a deadline (a timeline_now()
 * time) after which it fails with ETIMEDOUT: net.h's net_connect,
 * net_write_all and net_read_some, which block the thread, or chapter 10's
 * co_connect, co_write and co_read, which park a coroutine. */
struct fetch_io {
    int (*connect)(const char *host, int port, double deadline, char *err, size_t errlen);
    int (*write_all)(int fd, const void *buf, size_t len, double deadline);
    ssize_t (*read_some)(int fd, void *buf, size_t len, double deadline);
};

/* Fetches r->url into r (status, body, bytes, start, end, or error),
 * giving up after `timeout` seconds (> 0: fetchcli checks it), waiting in
 * io's calls. Never prints (but traces, with --trace); returns 0 or -1. */
int fetch_with(const struct fetch_io *io, struct fetch_result *r, double timeout);

/* fetch_with net.h's blocking calls. */
int fetch_blocking(struct fetch_result *r, double timeout);

/* For the non-blocking fetchers: one read from fd (net_read_nb), fed to
 * the parser, traced. HTTP_MORE: wait until fd is readable again (this
 * covers EAGAIN); HTTP_DONE: the response is complete; HTTP_ERROR: err
 * says why ("read: Connection reset by peer", "truncated: ..."). */
enum http_progress fetch_read_nb(int fd, struct http_response *res, char *err, size_t errlen);

#endif
