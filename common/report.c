/* report: the result table, the summary line and the failure lines every
 * fetcher prints, and the timeline of its results.
 * Left out: deciding what failed (the fetchers do) and saving bodies (fetchcli).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "report.h"
#include "timeline.h"

#define TIMELINE_WIDTH 50

void report_fail(struct fetch_result *r, const char *fmt, ...)
{
    r->status = 0;
    if (r->error[0] != '\0')   /* the first error is the cause; keep it */
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error, sizeof r->error, fmt, ap);
    va_end(ap);
    if (r->error[0] == '\0')   /* an empty message must still mean failed */
        snprintf(r->error, sizeof r->error, "failed");
}

void report_done(struct fetch_result *r, struct http_response *res)
{
    if (r->error[0] == '\0') {
        r->status = res->status;
        r->body = res->body;
        r->bytes = res->body_len;
        res->body = NULL;
    }
    http_response_free(res);
    r->end = timeline_now();
}

static int failed(const struct fetch_result *r)
{
    return r->error[0] != '\0';
}

int report_failures(const struct fetch_result *results, int n)
{
    int count = 0;

    for (int i = 0; i < n; i++)
        count += failed(&results[i]);
    return count;
}

static int index_width(int n)
{
    int width = 1;

    for (; n >= 10; n /= 10)
        width++;
    return width < 3 ? 3 : width;
}

/* Prints text with its control characters as \xNN: a URL read from
 * standard input must not move the cursor or clear the reader's terminal. */
static void put_escaped(FILE *out, const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
        if (*p < 0x20 || *p == 0x7f)
            fprintf(out, "\\x%02x", *p);
        else
            fputc(*p, out);
    }
}

/* A time relative to t0; "-" for a fetch that never started (time 0). */
static void print_time(FILE *out, double t, double t0)
{
    if (t == 0)
        fprintf(out, " %7s", "-");
    else
        fprintf(out, " %7.3f", t - t0);
}

static void print_result(FILE *out, const struct fetch_result *r, int index,
                         int width, double t0)
{
    fprintf(out, "%*d  ", width, index);
    if (failed(r))
        fprintf(out, "%-6s", "error");
    else
        fprintf(out, "%-6d", r->status);
    fprintf(out, " %8zu", r->bytes);
    print_time(out, r->start, t0);
    print_time(out, r->end, t0);
    fputs("  ", out);
    put_escaped(out, r->url ? r->url : "(no url)");
    if (failed(r))
        fprintf(out, "  (%s)", r->error);
    fputc('\n', out);
}

void report_print(FILE *out, FILE *err, const char *model,
                  const struct fetch_result *results, int n, double t0, double t1)
{
    int width = index_width(n), fetched = 0, failures = 0;
    size_t bytes = 0;

    fprintf(out, "%*s  %-6s %8s %7s %7s  %s\n", width, "#", "status", "bytes",
            "start", "end", "url");
    for (int i = 0; i < n; i++) {
        print_result(out, &results[i], i + 1, width, t0);
        if (failed(&results[i])) {
            failures++;
        } else {
            fetched++;
            bytes += results[i].bytes;
        }
    }
    /* The failures go to err between the table and the summary, so that on
     * a terminal the summary stays the last line. */
    fflush(out);
    for (int i = 0; i < n; i++) {
        if (failed(&results[i])) {
            fprintf(err, "%s: ", model);
            put_escaped(err, results[i].url ? results[i].url : "(no url)");
            fprintf(err, ": %s\n", results[i].error);
        }
    }
    fflush(err);
    fprintf(out, "%s: %d fetched, %d failed, %zu bytes in %.3f s\n",
            model, fetched, failures, bytes, t1 - t0);
}

/* The part of a URL after its host ("/slow?delay=0.5"): what tells the
 * rows of one run apart, in the little room a timeline row leaves. */
static const char *url_tail(const char *url)
{
    const char *host = url ? strstr(url, "://") : NULL;
    const char *path = host ? strchr(host + 3, '/') : NULL;

    return path ? path : url;
}

void report_timeline(FILE *out, const struct fetch_result *results, int n, double t0)
{
    struct timeline_row *rows = n > 0 ? calloc((size_t)n, sizeof *rows) : NULL;

    if (n > 0 && rows == NULL) {
        fprintf(out, "timeline: out of memory\n");
        return;
    }
    for (int i = 0; i < n; i++) {
        const struct fetch_result *r = &results[i];
        rows[i].label = url_tail(r->url);
        rows[i].start = r->start == 0 ? 0 : r->start - t0;
        rows[i].end = r->end == 0 ? rows[i].start : r->end - t0;
        rows[i].failed = failed(r);
    }
    timeline_print(out, rows, n, TIMELINE_WIDTH);
    free(rows);
}
