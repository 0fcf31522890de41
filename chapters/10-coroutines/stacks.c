/* stacks: what coroutines cost. Spawns N coroutines that each use some of
 * their stack and then sleep, measures the resident memory (VmRSS) with all
 * of them parked, and the time a switch takes.
 * Left out: anything but Linux's /proc/self/status.
 */
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

int main(int argc, char **argv)
{
    long count = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
    long stack_kib = argc > 2 ? strtol(argv[2], NULL, 10) : 64;
    long use_kib = argc > 3 ? strtol(argv[3], NULL, 10) : 0;
    if (argc > 4 || count < 1 || count > 100000 || stack_kib < 16 || stack_kib > 65536
        || use_kib < 0 || use_kib > stack_kib - 8) {
        fprintf(stderr, "usage: stacks [COUNT [STACK_KIB [USE_KIB]]]   (default 1000 64 0;\n"
                        "       USE_KIB at most STACK_KIB - 8)\n");
        return argc > 1 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
    }
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
