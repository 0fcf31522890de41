/* 4-omission: coordinated omission, corrected after the fact. Reads the
 * latencies a closed-loop client measured (seconds, one a line) and the
 * interval at which its requests were meant to go out; prints the
 * percentiles as measured and as corrected: a request that took L, L longer
 * than the interval, hid the ones that would have been sent while it ran,
 * and they would have waited L - interval, L - 2 x interval, ...
 * (HdrHistogram's recordValueWithExpectedInterval). Left out: anything but
 * stdin; the guess it makes (an open loop, hammer --rate, needs none).
 */
#include <stdio.h>
#include <stdlib.h>

#include "histogram.h"

/* Counts `latency` and, into `corrected`, the requests it hid too. */
static void record_corrected(struct histogram *corrected, double latency, double interval)
{
    hist_record(corrected, latency);
    for (double missed = latency - interval; missed >= interval; missed -= interval)
        hist_record(corrected, missed);
}

static void print(const char *name, const struct histogram *h)
{
    printf("%-9s %5llu latencies, p50 %.3f s, p90 %.3f s, p99 %.3f s, max %.3f s\n", name,
           (unsigned long long)h->n, hist_percentile(h, 50), hist_percentile(h, 90),
           hist_percentile(h, 99), h->max);
}

int main(int argc, char **argv)
{
    char *end;
    double interval = argc == 2 ? strtod(argv[1], &end) : 0;
    if (argc != 2 || *end != '\0' || !(interval > 0)) {
        fprintf(stderr, "usage: 4-omission INTERVAL < LATENCIES (seconds, one a line)\n");
        return 2;
    }
    struct histogram *measured = calloc(1, sizeof *measured);
    struct histogram *corrected = calloc(1, sizeof *corrected);
    double latency;
    int rc = measured == NULL || corrected == NULL;
    while (rc == 0 && scanf("%lf", &latency) == 1) {
        hist_record(measured, latency);
        record_corrected(corrected, latency, interval);
    }
    if (rc == 0 && !feof(stdin)) {
        fprintf(stderr, "4-omission: stdin: not a number of seconds\n");
        rc = 2;
    }
    if (rc == 0) {
        print("measured", measured);
        print("corrected", corrected);
    }
    free(measured);
    free(corrected);
    return rc;
}
