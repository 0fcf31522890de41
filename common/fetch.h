/* fetch: fetch one URL with blocking calls: parse, connect, send the GET,
 * read until the response is complete. Chapter 01 teaches it; chapters
 * 02-05 run it in threads, pools and processes, unchanged.
 * Left out: redirects, retries (an exercise), keep-alive.
 */
#ifndef WAITLESS_FETCH_H
#define WAITLESS_FETCH_H

#include "http.h"
#include "report.h"

/* Fetches r->url into r (status, body, bytes, start, end, or error),
 * giving up after `timeout` seconds (> 0: fetchcli checks it). Never
 * prints; returns 0 or -1. */
int fetch_blocking(struct fetch_result *r, double timeout);

/* For the non-blocking fetchers: one read from fd (net_read_nb), fed to
 * the parser, traced. HTTP_MORE: wait until fd is readable again (this
 * covers EAGAIN); HTTP_DONE: the response is complete; HTTP_ERROR: err
 * says why ("read: Connection reset by peer", "truncated: ..."). */
enum http_progress fetch_read_nb(int fd, struct http_response *res, char *err, size_t errlen);

#endif
