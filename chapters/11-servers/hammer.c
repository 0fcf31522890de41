/* hammer: a load client on the reactor. It sends R requests for one URL,
 * keeping C of them in flight at all times, then prints how many failed
 * (an error, or a status other than 200), the wall time, and the latency
 * of the requests: min, median, p99, max.
 * Left out: keep-alive, a request rate (it sends as fast as answers come),
 * more than one URL.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "reactor.h"
#include "report.h"
#include "timeline.h"

struct load {
    struct reactor *rx;
    struct fetch_result *results;   /* one slot per request */
    int requests, started, finished, failed;
    double timeout;
};

static void start_next(struct load *l);

static void on_done(struct fetch_result *r, void *arg)
{
    struct load *l = arg;
    l->finished++;
    if (r->error[0] != '\0' || r->status != 200) {
        if (l->failed++ < 5)   /* a few examples, not thousands of lines */
            fprintf(stderr, "hammer: request %d: %s%s\n", (int)(r - l->results) + 1,
                    r->error[0] ? r->error : "status ", r->error[0] ? "" : "not 200");
    }
    free(r->body);
    r->body = NULL;
    start_next(l);             /* keep the concurrency up */
}

static void start_next(struct load *l)
{
    if (l->started == l->requests)
        return;
    struct fetch_result *r = &l->results[l->started++];
    if (client_get(l->rx, r, l->timeout, on_done, l) == NULL) {
        report_fail(r, "client_get: %s", strerror(errno));
        r->start = r->end = timeline_now();
        on_done(r, l);
    }
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void print_summary(const struct load *l, int concurrency, double wall)
{
    double *latency = malloc((size_t)l->requests * sizeof *latency);
    printf("hammer: %d requests, %d failed, concurrency %d, %.3f s wall, %.1f requests/s\n",
           l->requests, l->failed, concurrency, wall, wall > 0 ? l->requests / wall : 0);
    if (latency == NULL)
        return;
    for (int i = 0; i < l->requests; i++)
        latency[i] = l->results[i].end - l->results[i].start;
    qsort(latency, (size_t)l->requests, sizeof *latency, by_value);
    int n = l->requests, p99 = (99 * n + 99) / 100 - 1;   /* nearest rank */
    printf("latency: min %.3f s, median %.3f s, p99 %.3f s, max %.3f s\n",
           latency[0], latency[n / 2], latency[p99], latency[n - 1]);
    free(latency);
}

static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "hammer: %s%s%s\nTry 'hammer --help'.\n", what, arg ? ": " : "",
            arg ? arg : "");
    return 2;
}

static int parse_count(const char *text, int max, int *out)
{
    char *end;
    long v = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || v < 1 || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

/* AGG-style: -1 to go on, or the exit code. */
static int parse_args(int argc, char **argv, int *requests, int *concurrency,
                      double *timeout, const char **url)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            printf("usage: hammer [--requests R] [--concurrency C] [--timeout S] URL\n"
                   "Sends R GETs for URL (default 20), C at a time (default 4), on one\n"
                   "thread; prints failures, wall time, and latency min/median/p99/max.\n"
                   "A failure is an error or a status other than 200 (exit 1).\n");
            return 0;
        }
        if (a[0] != '-' && *url == NULL) {
            *url = a;
            continue;
        }
        if (v == NULL)
            return usage_error(a[0] == '-' ? "option needs a value" : "one URL only", a);
        i++;
        if (strcmp(a, "--requests") == 0 && parse_count(v, 1000000, requests) == 0)
            continue;
        if (strcmp(a, "--concurrency") == 0 && parse_count(v, 10000, concurrency) == 0)
            continue;
        *timeout = strtod(v, &end);
        if (strcmp(a, "--timeout") == 0 && *end == '\0' && *timeout > 0 && *timeout <= 3600)
            continue;
        return usage_error(strncmp(a, "--", 2) == 0 ? "bad option or value" : "one URL only", a);
    }
    return *url == NULL ? usage_error("no URL given", NULL) : -1;
}

int main(int argc, char **argv)
{
    int requests = 20, concurrency = 4;
    const char *url = NULL;
    struct load l = { .timeout = 30 };
    int rc = parse_args(argc, argv, &requests, &concurrency, &l.timeout, &url);
    if (rc >= 0)
        return rc;
    l.requests = requests;
    l.results = calloc((size_t)requests, sizeof *l.results);
    l.rx = reactor_new();
    if (l.results == NULL || l.rx == NULL) {
        fprintf(stderr, "hammer: %s\n", strerror(errno));
        free(l.results);
        reactor_free(l.rx);
        return 1;
    }
    for (int i = 0; i < requests; i++)
        l.results[i].url = url;
    double t0 = timeline_now();
    for (int i = 0; i < concurrency; i++)
        start_next(&l);
    rc = reactor_run(l.rx);   /* returns when the last answer is in */
    if (rc < 0)
        fprintf(stderr, "hammer: reactor: %s\n", strerror(errno));
    print_summary(&l, concurrency, timeline_now() - t0);
    reactor_free(l.rx);
    free(l.results);
    return rc < 0 || l.failed > 0 || l.finished < requests;
}
