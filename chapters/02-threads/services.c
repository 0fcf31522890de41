/* services: the ThreadQueue at work, as in Kevin McConnell's talk. A web
 * page needs three slow internal services; start all three calls, do other
 * work meanwhile, then get the results. The page waits about as long as
 * the slowest call, not the sum of all three: do all your waiting at once.
 * Left out: real services (each "call" is a fetch of the slow server, whose
 * delay stands for the service's slowness) and real work (a sleep).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fetch.h"
#include "timeline.h"
#include "tq.h"

#define N_SERVICES 3
#define CALL_TIMEOUT 10.0

struct service {
    const char *name;
    double delay;                  /* how slow the slow server makes it */
    int bytes;
    char url[512];
    struct fetch_result result;    /* written by the task's thread only */
};

static struct service services[N_SERVICES] = {
    { "notifications", 0.3, 300, "", { 0 } },
    { "billing",       0.5, 500, "", { 0 } },
    { "privileges",    0.2, 200, "", { 0 } },
};

/* A task: one blocking "service call". It returns its own result slot. */
static void *call_service(void *arg)
{
    struct service *s = arg;
    fetch_blocking(&s->result, CALL_TIMEOUT);
    return &s->result;
}

static int usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "services: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nUsage: services [--get NAME,NAME,...] [--other-work S] BASE_URL\n"
                    "Try 'services --help'.\n");
    return 2;
}

static void print_help(void)
{
    printf("Usage: services [--get NAME,NAME,...] [--other-work S] BASE_URL\n"
           "Calls three slow services at once through a ThreadQueue (chapter 02):\n"
           "notifications (0.3 s), billing (0.5 s) and privileges (0.2 s), each a\n"
           "fetch of BASE_URL/slow?delay=..., does S seconds of other work, then\n"
           "gets the results in the order of --get (default: the order above).\n\n"
           "  --get NAMES       comma-separated task names to get, in that order\n"
           "  --other-work S    seconds of other work between run and get (default 0.1)\n"
           "  -h, --help        print this help and exit\n\n"
           "Exit codes: 0 every call answered 200, 1 otherwise, 2 usage error.\n");
}

/* The stand-in for the page's own work (parsing, business logic...). */
static void other_work(double seconds)
{
    struct timespec ts = { (time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9) };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        continue;
}

static int start_calls(struct tq *q, const char *base_url)
{
    for (int i = 0; i < N_SERVICES; i++) {
        struct service *s = &services[i];
        snprintf(s->url, sizeof s->url, "%s/slow?delay=%g&bytes=%d",
                 base_url, s->delay, s->bytes);
        s->result.url = s->url;
        if (tq_run(q, s->name, call_service, s) != 0) {   /* returns at once */
            fprintf(stderr, "services: tq_run %s: %s\n", s->name, strerror(errno));
            return -1;
        }
    }
    return 0;
}

/* Gets one task by name and prints its result line. 0 when it answered 200. */
static int get_and_print(struct tq *q, const char *name, double t0)
{
    void *value;

    if (tq_get(q, name, &value) != 0) {   /* waits only if still pending */
        fprintf(stderr, "services: tq_get %s: no task by that name\n", name);
        return -1;
    }
    double got = timeline_now();
    const struct fetch_result *r = value;
    if (r->error[0] != '\0') {
        printf("  %-14s error  %s\n", name, r->error);
        return -1;
    }
    printf("  %-14s %3d %5zu bytes   done at %.3f s, got at %.3f s\n",
           name, r->status, r->bytes, r->end - t0, got - t0);
    return r->status == 200 ? 0 : -1;
}

/* Gets the comma-separated names in order; returns how many failed. */
static int get_all(struct tq *q, const char *names, double t0)
{
    char *list = strdup(names), *save = NULL;
    int failures = 0;

    if (list == NULL) {
        fprintf(stderr, "services: out of memory\n");
        return 1;
    }
    for (char *name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save))
        failures += get_and_print(q, name, t0) != 0;
    free(list);
    return failures;
}

static int parse_seconds(const char *text, double *out)
{
    char *end;
    double s = strtod(text, &end);
    if (end == text || *end != '\0' || !(s >= 0) || s > 60)
        return -1;
    *out = s;
    return 0;
}

int main(int argc, char **argv)
{
    const char *base_url = NULL, *order = "notifications,billing,privileges";
    double work = 0.1;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            print_help();
            return 0;
        } else if (strcmp(argv[i], "--get") == 0 && i + 1 < argc) {
            order = argv[++i];
        } else if (strcmp(argv[i], "--other-work") == 0 && i + 1 < argc) {
            if (parse_seconds(argv[++i], &work) != 0)
                return usage("--other-work must be seconds from 0 to 60, not '%s'", argv[i]);
        } else if (strcmp(argv[i], "--get") == 0 || strcmp(argv[i], "--other-work") == 0) {
            return usage("option '%s' needs a value", argv[i]);
        } else if (argv[i][0] == '-' || base_url != NULL) {
            return usage("unexpected argument '%s'", argv[i]);
        } else {
            base_url = argv[i];
        }
    }
    if (base_url == NULL)
        return usage("no BASE_URL given%s", "");

    struct tq *q = tq_new();
    if (q == NULL) {
        fprintf(stderr, "services: tq_new: %s\n", strerror(errno));
        return 1;
    }
    double t0 = timeline_now();
    int failures = start_calls(q, base_url) != 0;
    printf("services: 3 calls started in %.3f s\n", timeline_now() - t0);
    other_work(work);
    printf("services: other work done at %.3f s\n", timeline_now() - t0);
    failures += get_all(q, order, t0);
    double sum = 0, slowest = 0;
    for (int i = 0; i < N_SERVICES; i++) {
        sum += services[i].delay;
        slowest = services[i].delay > slowest ? services[i].delay : slowest;
    }
    printf("services: total %.3f s (the calls one after another: %.3f s; "
           "the slowest: %.3f s)\n", timeline_now() - t0, sum, slowest);
    tq_free(q);   /* waits for any call that was never got */
    for (int i = 0; i < N_SERVICES; i++)
        free(services[i].result.body);
    return failures ? 1 : 0;
}
