/* stacks: what coroutines cost. Spawns N coroutines that each use some of
 * their stack and then sleep, measures the resident memory (VmRSS) with all
 * of them parked, and the time a switch takes.
 * Left out: anything but Linux's /proc/self/status.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "co.h"
#include "reactor.h"
#include "timeline.h"

static long use_bytes;     /* stack each coroutine touches */
static double peak_rss;    /* KiB, while all are parked */

/* Resident memory in KiB, from /proc/self/status; -1 if unreadable. */
static long rss_kib(void)
{
    char line[256];
    long kib = -1;
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

static void sleeper(void *arg)
{
    (void)arg;
    char *area = use_bytes > 0 ? __builtin_alloca((size_t)use_bytes) : NULL;
    if (area != NULL)
        memset(area, 1, (size_t)use_bytes);   /* touch the pages: now resident */
    co_sleep(0.2);
    if (area != NULL && area[use_bytes - 1] != 1)
        abort();
}

static void measure(struct reactor *r, void *arg)
{
    (void)r, (void)arg;
    peak_rss = (double)rss_kib();   /* every sleeper is parked by now */
}

/* One coroutine that yields to the loop `n` times: 2n switches. */
static void yielder(void *arg)
{
    for (long i = 0, n = *(long *)arg; i < n; i++)
        co_sleep(0);
}

static int usage(FILE *out, int status)
{
    fprintf(out, "usage: stacks [COUNT [STACK_KIB [USE_KIB]]]\n"
                 "Park COUNT coroutines (1 to 100000, default 1000) with STACK_KIB stacks\n"
                 "(16 to 65536, default 64) that each use USE_KIB of it (at most\n"
                 "STACK_KIB - 8, default 0); print the memory they take and the time a\n"
                 "switch takes.\n");
    return status;
}

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("stacks: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'stacks --help'.\n", stderr);
    return 2;
}

/* Operand i (from 0, after the options) into *out, if it is there: -1 to
 * go on, else 2 after saying it is not a number from min to max. */
static int operand(int argc, char **argv, int i, const char *name, long min, long max,
                   long *out)
{
    const char *text = optind + i < argc ? argv[optind + i] : NULL;
    char *end;

    if (text == NULL)
        return -1;
    *out = strtol(text, &end, 10);
    if (*text != '\0' && *end == '\0' && *out >= min && *out <= max)
        return -1;
    return usage_error("%s must be a number from %ld to %ld, not '%s'", name, min, max, text);
}

/* -1 to go on, else the exit code (0 after --help, 2 after a usage error). */
static int parse_options(int argc, char **argv, long *count, long *stack_kib, long *use_kib)
{
    static const struct option longs[] = {
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };

    opterr = 0;   /* the messages are ours */
    int c = getopt_long(argc, argv, "h", longs, NULL);
    if (c == 'h')
        return usage(stdout, 0);
    if (c != -1)   /* '?': -x (in optopt) or --name (the argument read last) */
        return optopt ? usage_error("unknown option '-%c'", optopt)
                      : usage_error("unknown option '%s'", argv[optind - 1]);
    if (argc - optind > 3)
        return usage_error("at most 3 numbers, not also '%s'", argv[optind + 3]);
    int rc = operand(argc, argv, 0, "COUNT", 1, 100000, count);
    if (rc < 0)
        rc = operand(argc, argv, 1, "STACK_KIB", 16, 65536, stack_kib);
    if (rc < 0)   /* its range depends on STACK_KIB */
        rc = operand(argc, argv, 2, "USE_KIB", 0, *stack_kib - 8, use_kib);
    return rc;
}

int main(int argc, char **argv)
{
    long count = 1000, stack_kib = 64, use_kib = 0;
    int rc = parse_options(argc, argv, &count, &stack_kib, &use_kib);
    if (rc >= 0)
        return rc;
    struct reactor *r = reactor_new();
    if (r == NULL) {
        perror("stacks: reactor_new");
        return 1;
    }
    use_bytes = use_kib * 1024;
    co_set_stack_size((size_t)stack_kib * 1024);
    long before = rss_kib();
    for (long i = 0; i < count; i++)
        if (co_spawn(r, sleeper, NULL) < 0) {
            perror("stacks: co_spawn");
            return 1;
        }
    static struct timer measuring;
    reactor_call_later(r, &measuring, 0.1, measure, NULL);
    reactor_run(r);
    printf("%ld coroutines, %ld KiB stacks, %ld KiB used each: RSS %ld KiB before, "
           "%.0f KiB with all parked: %.1f KiB per coroutine\n", count, stack_kib, use_kib,
           before, peak_rss, (peak_rss - (double)before) / (double)count);
    long switches = 100000;
    double t0 = timeline_now();
    co_spawn(r, yielder, &switches);
    reactor_run(r);
    printf("a park and a resume through the reactor: %.2f us\n",
           (timeline_now() - t0) / (double)switches * 1e6);
    reactor_free(r);
    return 0;
}
