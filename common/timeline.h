/* timeline: the monotonic clock, and the picture of when each task ran.
 * One row per task, a bar from its start to its end, so a staircase
 * (one after another) and a wall (all at once) are told apart at a glance.
 * Left out: wall-clock dates (only durations matter here).
 */
#ifndef WAITLESS_TIMELINE_H
#define WAITLESS_TIMELINE_H

#include <stdio.h>

/* Seconds on CLOCK_MONOTONIC: only differences mean anything. */
double timeline_now(void);

struct timeline_row {
    const char *label;   /* printed after the bar, may be cut short */
    double start, end;   /* seconds since the timeline's origin */
    int failed;          /* drawn with 'x' instead of '#' */
};

/* Prints the rows as bars on a common time axis `width` columns wide. The
 * axis ends with the last task, or at WAITLESS_TIMELINE_SPAN seconds if
 * that is set and later: then runs drawn with the same span compare by eye. */
void timeline_print(FILE *out, const struct timeline_row *rows, int n, int width);

#endif
