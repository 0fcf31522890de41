/* Exercise 10.1: find the freeze (exercises/1-find-the-freeze.md). Two
 * coroutines share one thread: a heartbeat due every 50 ms, and a worker
 * that waits, then works, five times.
 * Left out: sockets; two coroutines are enough.
 */
#include <stdio.h>
#include <unistd.h>

#include "co.h"
#include "reactor.h"
#include "timeline.h"

#define HEARTBEAT 0.050

static void heartbeat(void *arg)
{
    (void)arg;
    double worst = 0;
    int beats;
    for (beats = 0; beats < 20; beats++) {
        double due = timeline_now() + HEARTBEAT;
        co_sleep(HEARTBEAT);
        if (timeline_now() - due > worst)
            worst = timeline_now() - due;
    }
    printf("heartbeat: %d beats, worst lateness %.3f s\n", beats, worst);
}

static long checksum;

static void worker(void *arg)
{
    (void)arg;
    int rounds;
    for (rounds = 0; rounds < 5; rounds++) {
        usleep(200 * 1000);                 /* wait for "the next batch" */
        for (long i = 0; i < 100000; i++)   /* a little work */
            checksum += i % 7;
    }
    printf("worker: %d rounds\n", rounds);
}

int main(void)
{
    struct reactor *r = reactor_new();
    if (r == NULL || co_spawn(r, heartbeat, NULL) < 0 || co_spawn(r, worker, NULL) < 0) {
        perror("find-the-freeze");
        return 1;
    }
    reactor_run(r);
    reactor_free(r);
    return checksum > 0 ? 0 : 1;
}
