/* hammer: a load client on the reactor, for one URL, in two ways.
 * Closed loop (--requests R --concurrency C): C requests in flight, the
 * next sent when one answers; the talk's table. Open loop (--rate R
 * --duration S): requests sent on a fixed schedule whatever the answers do,
 * each timed from when it should have been sent (wrk2's way), so a stalled
 * server cannot hide the requests that waited. Both print the failures (an
 * error, or a status other than 200), the wall time, and the latency
 * percentiles. Left out: keep-alive, more than one URL, a warm-up.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "histogram.h"
#include "reactor.h"
#include "report.h"
#include "timeline.h"

struct load {
    struct reactor *rx;
    struct fetch_result *results;   /* one slot per request */
    struct histogram latency;
    int requests, started, finished, failed;
    int concurrency;                /* closed loop: requests in flight */
    double rate, duration;          /* open loop (rate > 0): the schedule */
    int cap, in_flight, peak;       /* open loop: connections at most, now, seen */
    double t0, timeout;
    struct timer tick;              /* open loop: the next send */
};

static void launch_due(struct load *l);
static void start_next(struct load *l);

/* When request i should be sent: open loop, its place in the schedule;
 * closed loop, when it was. */
static double scheduled(const struct load *l, int i)
{
    return l->rate > 0 ? l->t0 + i / l->rate : l->results[i].start;
}

static void on_done(struct fetch_result *r, void *arg)
{
    struct load *l = arg;
    int i = (int)(r - l->results);
    l->finished++;
    l->in_flight--;
    hist_record(&l->latency, r->end - scheduled(l, i));
    if (r->error[0] != '\0' || r->status != 200) {
        if (l->failed++ < 5)   /* a few examples, not thousands of lines */
            fprintf(stderr, "hammer: request %d: %s%s\n", i + 1,
                    r->error[0] ? r->error : "status ", r->error[0] ? "" : "not 200");
    }
    free(r->body);
    r->body = NULL;
    if (l->rate > 0)
        launch_due(l);         /* a connection is free: send what is late */
    else
        start_next(l);         /* keep the concurrency up */
}

static void start_one(struct load *l)
{
    struct fetch_result *r = &l->results[l->started++];
    if (++l->in_flight > l->peak)
        l->peak = l->in_flight;
    if (client_get(l->rx, r, l->timeout, on_done, l) == NULL) {
        report_fail(r, "client_get: %s", strerror(errno));
        r->start = r->end = timeline_now();
        on_done(r, l);
    }
}

/* Closed loop: the next request, if any is left. */
static void start_next(struct load *l)
{
    if (l->started < l->requests)
        start_one(l);
}

static void on_tick(struct reactor *rx, void *arg)
{
    (void)rx;
    launch_due(arg);
}

/* Open loop: sends every request whose time has come, as long as a
 * connection is free; then sets the timer for the next one. A request
 * held back by the cap goes when an answer frees a connection, and its
 * latency still counts from its scheduled time. */
static void launch_due(struct load *l)
{
    double now = timeline_now();
    while (l->started < l->requests && l->in_flight < l->cap
           && scheduled(l, l->started) <= now)
        start_one(l);
    if (l->started == l->requests || l->in_flight == l->cap || reactor_pending(&l->tick))
        return;
    if (reactor_call_later(l->rx, &l->tick, scheduled(l, l->started) - now, on_tick, l) < 0) {
        fprintf(stderr, "hammer: timer: %s\n", strerror(errno));
        reactor_stop(l->rx);
    }
}

static void print_summary(const struct load *l, double wall)
{
    printf("hammer: %d requests, %d failed, ", l->requests, l->failed);
    if (l->rate > 0)
        printf("open loop at %g requests/s for %g s, %d connections at most (cap %d), ",
               l->rate, l->duration, l->peak, l->cap);
    else
        printf("concurrency %d, ", l->concurrency);
    printf("%.3f s wall, %.1f requests/s\n", wall, wall > 0 ? l->finished / wall : 0);
    const struct histogram *h = &l->latency;
    printf("latency: p50 %.3f s, p90 %.3f s, p99 %.3f s, p99.9 %.3f s, max %.3f s\n",
           hist_percentile(h, 50), hist_percentile(h, 90), hist_percentile(h, 99),
           hist_percentile(h, 99.9), h->max);
}

static const char usage_text[] =
    "usage: hammer [--requests R] [--concurrency C] [--timeout S] URL\n"
    "       hammer --rate R [--duration S] [--connections N] [--timeout S] URL\n"
    "Closed loop (the default): sends R GETs for URL (default 20), C at a\n"
    "time (default 4), the next when one answers.\n"
    "Open loop (--rate): sends R GETs a second for S seconds (default 10),\n"
    "on schedule whatever the answers do, on at most N connections at once\n"
    "(default 500; a request that finds none free waits for one), and times\n"
    "each from when it should have been sent.\n"
    "Prints failures, wall time, and latency p50/p90/p99/p99.9/max; a failed\n"
    "request counts at the time it failed. A failure is an error or a status\n"
    "other than 200 (exit 1). --timeout: per request, from when it is sent (30).\n";

static int usage_error(const char *what, const char *arg)
{
    if (what != NULL)
        fprintf(stderr, "hammer: %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
    fputs("Try 'hammer --help'.\n", stderr);
    return 2;
}

/* A number in (0, max]; -1 if text is not one. */
static int parse_number(const char *text, double max, double *out)
{
    char *end;
    double v = strtod(text, &end);
    if (*text == '\0' || *end != '\0' || !(v > 0 && v <= max))
        return -1;
    *out = v;
    return 0;
}

static int parse_count(const char *text, int max, int *out)
{
    double v;
    if (parse_number(text, max, &v) < 0 || v != floor(v))
        return -1;
    *out = (int)v;
    return 0;
}

/* -1 to go on, or the exit code. */
static int parse_args(int argc, char **argv, struct load *l, const char **url)
{
    static const struct option options[] = {
        { "requests", required_argument, NULL, 'n' }, { "concurrency", required_argument, NULL, 'c' },
        { "rate", required_argument, NULL, 'r' },     { "duration", required_argument, NULL, 'd' },
        { "connections", required_argument, NULL, 'C' }, { "timeout", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },           { NULL, 0, NULL, 0 }
    };
    int opt, closed = 0, open = 0, bad = 0, which = 0;
    while ((opt = getopt_long(argc, argv, "h", options, &which)) != -1) {
        switch (opt) {
        case 'h': fputs(usage_text, stdout); return 0;
        case 'n': closed = 1; bad = parse_count(optarg, 1000000, &l->requests); break;
        case 'c': closed = 1; bad = parse_count(optarg, 10000, &l->concurrency); break;
        case 'r': open = 1; bad = parse_number(optarg, 100000, &l->rate); break;
        case 'd': open = 1; bad = parse_number(optarg, 3600, &l->duration); break;
        case 'C': open = 1; bad = parse_count(optarg, 10000, &l->cap); break;
        case 't': bad = parse_number(optarg, 3600, &l->timeout); break;
        default: return usage_error(NULL, NULL);       /* getopt said why */
        }
        if (bad) {
            fprintf(stderr, "hammer: --%s: bad value '%s'\n", options[which].name, optarg);
            return usage_error(NULL, NULL);
        }
    }
    if (optind != argc - 1)
        return usage_error(optind == argc ? "no URL given" : "one URL only", NULL);
    if (closed && open)
        return usage_error("--requests/--concurrency or --rate/--duration/--connections, not both", NULL);
    if (open && l->rate == 0)
        return usage_error("--duration and --connections need --rate", NULL);
    if (open && l->rate * l->duration > 1000000)
        return usage_error("over a million requests: lower --rate or --duration", NULL);
    if (open)
        l->requests = (int)ceil(l->rate * l->duration - 1e-9);
    *url = argv[optind];
    return -1;
}

int main(int argc, char **argv)
{
    const char *url = NULL;
    struct load *l = calloc(1, sizeof *l);   /* the histogram is 60 KB */
    if (l == NULL) {
        fprintf(stderr, "hammer: %s\n", strerror(errno));
        return 1;
    }
    *l = (struct load){ .requests = 20, .concurrency = 4, .duration = 10, .cap = 500,
                        .timeout = 30 };
    int rc = parse_args(argc, argv, l, &url);
    if (rc < 0) {
        l->results = calloc((size_t)l->requests, sizeof *l->results);
        l->rx = reactor_new();
        rc = l->results == NULL || l->rx == NULL ? 1 : -1;
        if (rc == 1)
            fprintf(stderr, "hammer: %s\n", strerror(errno));
    }
    if (rc < 0) {
        for (int i = 0; i < l->requests; i++)
            l->results[i].url = url;
        l->t0 = timeline_now();
        if (l->rate > 0)
            launch_due(l);
        else
            for (int i = 0; i < l->concurrency; i++)
                start_next(l);
        rc = reactor_run(l->rx);   /* returns when the last answer is in */
        if (rc < 0)
            fprintf(stderr, "hammer: reactor: %s\n", strerror(errno));
        print_summary(l, timeline_now() - l->t0);
        rc = rc < 0 || l->failed > 0 || l->finished < l->requests;
    }
    reactor_free(l->rx);
    free(l->results);
    free(l);
    return rc;
}
