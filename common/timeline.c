/* timeline: the monotonic clock, and an ASCII Gantt chart of tasks: one row
 * per task, a bar from its start to its end on an axis shared by all rows.
 * Left out: colours, terminal width detection (rows are cut to 80 columns).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timeline.h"

#define LINE_MAX_COLS 80
#define DEFAULT_WIDTH 50

double timeline_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Times from a model may be garbage (NaN, negative, end before start):
 * draw them as 0, and an end before its start as a zero-length task. */
static double clean_time(double t)
{
    return isfinite(t) && t > 0 ? t : 0;
}

static double row_end(const struct timeline_row *row)
{
    double start = clean_time(row->start), end = clean_time(row->end);

    return end > start ? end : start;
}

static int digits(int n)
{
    int d = 1;

    while (n >= 10) {
        n /= 10;
        d++;
    }
    return d;
}

static void put_chars(FILE *out, int c, int count)
{
    for (int i = 0; i < count; i++)
        fputc(c, out);
}

/* The column a time falls on, rounded, so that a task ending where the next
 * begins shares its boundary: a staircase has neither gaps nor overlaps. */
static int column(double t, double span, int width)
{
    double c = t / span * width + 0.5;

    return c >= width ? width : (int)c;
}

/* "25 ms", "2.5 s", "40 us": one column of the axis, in readable units. */
static void format_duration(char *buf, size_t len, double seconds)
{
    if (seconds >= 1)
        snprintf(buf, len, "%.3g s", seconds);
    else if (seconds >= 1e-3)
        snprintf(buf, len, "%.3g ms", seconds * 1e3);
    else
        snprintf(buf, len, "%.3g us", seconds * 1e6);
}

static void print_axis(FILE *out, int label_width, double span, int width)
{
    char unit[32], end[32];

    format_duration(unit, sizeof unit, span / width);
    if (span >= 0.1)   /* in the unit of the durations after the bars */
        snprintf(end, sizeof end, "%.2f s", span);
    else
        format_duration(end, sizeof end, span);
    fprintf(out, "timeline: one column = %s\n", unit);
    put_chars(out, ' ', label_width + 1);
    fputc('|', out);
    int room = width - 3 - (int)strlen(end);   /* 3 = strlen("0 s") */
    if (room >= 1) {
        fputs("0 s", out);
        put_chars(out, ' ', room);
        fputs(end, out);
    } else {
        put_chars(out, ' ', width);
    }
    fputs("|\n", out);
}

/* The label, cut from the front when it does not fit: the end of a URL
 * ("?delay=0.5") is what tells rows apart. */
static void print_label(FILE *out, const char *label, int room)
{
    size_t len = label ? strlen(label) : 0;

    if (len == 0 || room < 6)
        return;
    fputc(' ', out);
    room -= 1;
    if (len > (size_t)room) {
        fputs("..", out);
        label += len - (size_t)(room - 2);
    }
    for (; *label != '\0'; label++)   /* control characters would garble the terminal */
        fputc((unsigned char)*label < 0x20 || *label == 0x7f ? '?' : *label, out);
}

static void print_row(FILE *out, const struct timeline_row *row, int index,
                      int label_width, double span, int width)
{
    double start = clean_time(row->start), end = row_end(row);
    int c0 = column(start, span, width), c1 = column(end, span, width);
    char duration[32];

    if (end > start && c1 <= c0) {   /* a short task still shows */
        if (c0 == width)
            c0--;
        c1 = c0 + 1;
    }
    fprintf(out, "%*d |", label_width, index);
    put_chars(out, ' ', c0);
    put_chars(out, row->failed ? 'x' : '#', c1 - c0);
    put_chars(out, ' ', width - c1);
    int used = snprintf(duration, sizeof duration, "| %.2f s", end - start);
    fputs(duration, out);
    print_label(out, row->label, LINE_MAX_COLS - (label_width + 2 + width + used));
    fputc('\n', out);
}

/* WAITLESS_TIMELINE_SPAN=S: the axis covers at least S seconds, so that
 * timelines of different runs share one scale (make demo); 0 when unset. */
static double fixed_span(void)
{
    const char *text = getenv("WAITLESS_TIMELINE_SPAN");
    char *end;

    if (text == NULL || *text == '\0')
        return 0;
    double span = strtod(text, &end);
    if (*end != '\0' || !isfinite(span) || span <= 0 || span > 1e6) {
        fprintf(stderr, "timeline: WAITLESS_TIMELINE_SPAN must be a number of seconds, "
                "not '%s' (ignored)\n", text);
        return 0;
    }
    return span;
}

void timeline_print(FILE *out, const struct timeline_row *rows, int n, int width)
{
    double span = 0;

    if (rows == NULL || n < 0)
        n = 0;
    if (width < 1)
        width = DEFAULT_WIDTH;
    if (n == 0) {
        fprintf(out, "timeline: no tasks\n");
        return;
    }
    for (int i = 0; i < n; i++)
        if (row_end(&rows[i]) > span)
            span = row_end(&rows[i]);
    if (span < fixed_span())   /* a longer run still fits: the axis grows */
        span = fixed_span();
    if (span <= 0)   /* every task took no time: any scale will do */
        span = width * 1e-3;
    int label_width = digits(n) < 2 ? 2 : digits(n);
    print_axis(out, label_width, span, width);
    for (int i = 0; i < n; i++)
        print_row(out, &rows[i], i + 1, label_width, span, width);
}
