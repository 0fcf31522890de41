/* histogram: a value v (in microseconds) goes to bucket shift * 256 + (v >>
 * shift), where shift is the smallest that makes v >> shift fit in 9 bits:
 * values below 512 are exact, and above, each power of two [2^k, 2^(k+1))
 * is cut into 256 equal buckets. Left out: anything but record and read.
 */
#include <math.h>

#include "histogram.h"

#define SUB (1u << HIST_SUB_BITS)

static unsigned bucket_of(uint64_t us)
{
    unsigned shift = 0;
    while ((us >> shift) >= 2 * SUB)             /* at most 54 turns */
        shift++;
    if (shift > HIST_MAX_SHIFT)                  /* out of range: the last bucket */
        return HIST_BUCKETS - 1;
    return shift * SUB + (unsigned)(us >> shift);
}

/* The largest value (us) that falls in bucket b. */
static uint64_t bucket_top(unsigned b)
{
    unsigned shift = b < 2 * SUB ? 0 : b / SUB - 1;
    uint64_t mantissa = b - shift * SUB;
    return ((mantissa + 1) << shift) - 1;
}

void hist_record(struct histogram *h, double seconds)
{
    if (!(seconds > 0))                          /* also NaN */
        seconds = 0;
    double us = seconds * 1e6;
    h->counts[bucket_of(us >= 0x1p62 ? (uint64_t)1 << 62 : (uint64_t)llround(us))]++;
    h->n++;
    if (seconds > h->max)
        h->max = seconds;
}

double hist_percentile(const struct histogram *h, double p)
{
    if (h->n == 0)
        return 0;
    uint64_t rank = (uint64_t)ceil(p / 100 * (double)h->n), seen = 0;
    if (rank < 1)
        rank = 1;
    for (unsigned b = 0; b < HIST_BUCKETS; b++) {
        seen += h->counts[b];
        if (seen >= rank) {
            double top = (double)bucket_top(b) / 1e6;
            return top < h->max ? top : h->max;
        }
    }
    return h->max;
}
