/* Exercise 02.1 (exercises/1-wait-at-once.md): three slow service calls
 * through the ThreadQueue, and how long they take in all.
 * Usage: 1-wait-at-once BASE_URL
 */
#include <stdio.h>
#include <stdlib.h>

#include "fetch.h"
#include "timeline.h"
#include "tq.h"

struct call {
    const char *name;
    double delay;
    char url[512];
    struct fetch_result result;
};

static void *call_service(void *arg)
{
    struct call *c = arg;
    fetch_blocking(&c->result, 10.0);
    return &c->result;
}

int main(int argc, char **argv)
{
    struct call calls[] = {
        { "notifications", 0.3, "", { 0 } },
        { "billing", 0.5, "", { 0 } },
        { "privileges", 0.2, "", { 0 } },
    };
    int n = 3, failures = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: %s BASE_URL\n", argv[0]);
        return 2;
    }
    struct tq *q = tq_new();
    if (q == NULL)
        return 1;
    double t0 = timeline_now();
    /* TODO: each call is got right after it is run, so they happen one
     * after another (0.3 + 0.5 + 0.2 s): make all the waiting happen at once. */
    for (int i = 0; i < n; i++) {
        struct call *c = &calls[i];
        snprintf(c->url, sizeof c->url, "%s/slow?delay=%g", argv[1], c->delay);
        c->result.url = c->url;
        void *value;
        if (tq_run(q, c->name, call_service, c) != 0 || tq_get(q, c->name, &value) != 0) {
            fprintf(stderr, "%s: could not call %s\n", argv[0], c->name);
            failures++;
            continue;
        }
        struct fetch_result *r = value;
        printf("%s: %d at %.3f s\n", c->name, r->status, timeline_now() - t0);
        failures += r->status != 200;
    }
    printf("total %.3f s\n", timeline_now() - t0);
    tq_free(q);
    for (int i = 0; i < n; i++)
        free(calls[i].result.body);
    return failures ? 1 : 0;
}
