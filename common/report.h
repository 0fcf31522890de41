/* report: the one output format every fetcher prints, so that chapters can
 * be compared line by line: a result line per URL, then a summary line
 *   MODEL: N fetched, M failed, B bytes in T s
 * Left out: machine formats (JSON, CSV); the lines are easy to cut(1).
 */
#ifndef WAITLESS_REPORT_H
#define WAITLESS_REPORT_H

#include <stddef.h>
#include <stdio.h>

#define FETCH_ERR_LEN 256

/* What one fetch produced. Each fetch owns its own slot: fetchers that run
 * fetches at once never share one. */
struct fetch_result {
    const char *url;            /* borrowed from the command line or stdin list */
    int status;                 /* HTTP status; 0 when the fetch failed */
    char error[FETCH_ERR_LEN];  /* why it failed; "" when it did not */
    char *body;                 /* malloc'd body, NULL when none */
    size_t bytes;               /* body length */
    double start, end;          /* timeline_now() when it began and ended */
};

struct http_response;

/* The fetch is over: unless r failed, r takes res's status and its body
 * (r owns it from now on); res is freed, and r->end is now. */
void report_done(struct fetch_result *r, struct http_response *res);

/* Marks r failed with a printf-style message (keeps the first one). */
void report_fail(struct fetch_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints the result lines (times relative to t0) and the summary line to
 * out, and each failure as "MODEL: URL: error" to err. */
void report_print(FILE *out, FILE *err, const char *model,
                  const struct fetch_result *results, int n, double t0, double t1);

/* Prints the timeline of the results. */
void report_timeline(FILE *out, const struct fetch_result *results, int n, double t0);

/* How many results failed. */
int report_failures(const struct fetch_result *results, int n);

#endif
