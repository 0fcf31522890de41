/* fetch: fetch one URL with blocking calls: parse, connect, send the GET,
 * read until the response is complete. Chapter 01 teaches it; chapters
 * 02-05 run it in threads, pools and processes, unchanged.
 * Left out: redirects, retries (an exercise), keep-alive.
 */
#ifndef WAITLESS_FETCH_H
#define WAITLESS_FETCH_H

#include "report.h"

/* Fetches r->url into r (status, body, bytes, start, end, or error),
 * giving up after `timeout` seconds (> 0: fetchcli checks it). Never
 * prints; returns 0 or -1. */
int fetch_blocking(struct fetch_result *r, double timeout);

#endif
