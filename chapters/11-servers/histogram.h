/* histogram: latencies counted in buckets whose width grows with the value
 * (HdrHistogram's idea): exact below 512 us, then 256 buckets per power of
 * two, so any value is kept within 0.4%, from 1 us to 38 hours, in 60 KB
 * whatever the number of values. Left out: merging, resizing, printing.
 */
#ifndef WAITLESS_HISTOGRAM_H
#define WAITLESS_HISTOGRAM_H

#include <stdint.h>

#define HIST_SUB_BITS 8                          /* 2^8 buckets per power of two */
#define HIST_MAX_SHIFT 28                        /* values up to 2^37 us */
#define HIST_BUCKETS ((HIST_MAX_SHIFT + 2) << HIST_SUB_BITS)

struct histogram {
    uint64_t counts[HIST_BUCKETS];
    uint64_t n;                                  /* values recorded */
    double max;                                  /* the largest, exactly */
};

/* Counts one value in seconds (negative counts as 0). */
void hist_record(struct histogram *h, double seconds);

/* The value at percentile p (0 < p <= 100, nearest rank), in seconds: the
 * top of its bucket, never above the largest value. 0 when h is empty. */
double hist_percentile(const struct histogram *h, double p);

#endif
