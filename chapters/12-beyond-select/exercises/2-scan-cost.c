/* Exercise 12.2: what a wait costs with idle fds (exercises/2-scan-cost.md).
 *   2-scan-cost BACKEND IDLE
 * watches one pipe that is always readable and times PASSES passes of
 * the loop (the handler runs once per pass, level-triggered), with IDLE
 * more fds watched that are never ready: select and poll copy and scan
 * every one of them on every wait; epoll does not look at them at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net.h"
#include "reactor.h"
#include "timeline.h"

#define PASSES 2000

static int passes;

static void on_ready(struct reactor *r, int fd, int events, void *arg)
{
    (void)fd;
    (void)events;
    (void)arg;
    if (++passes == PASSES)
        reactor_stop(r);
}

static void on_idle(struct reactor *r, int fd, int events, void *arg)
{
    (void)r;
    (void)events;
    (void)arg;
    fprintf(stderr, "idle fd %d was reported ready\n", fd);
    exit(1);
}

static void close_pipes(int busy[2], int idle_pipe[2])
{
    for (int i = 0; i < 2; i++) {
        close(busy[i]);
        close(idle_pipe[i]);
    }
}

int main(int argc, char **argv)
{
    int busy[2], idle_pipe[2];
    int idle = argc == 3 ? atoi(argv[2]) : -1;
    struct reactor *r = argc == 3 ? reactor_new_backend(argv[1]) : NULL;
    if (r == NULL || idle < 0) {
        fprintf(stderr, "usage: 2-scan-cost select|poll|epoll IDLE\n");
        return 2;
    }
    net_raise_fd_limit();
    if (pipe(busy) < 0 || write(busy[1], "x", 1) != 1 || pipe(idle_pipe) < 0) {
        perror("2-scan-cost: pipe");
        reactor_free(r);
        return 1;
    }
    /* TODO: watch `idle` fds that never become ready: dup(idle_pipe[0])
     * gives as many as you like, all reading the same empty pipe.
     * (on_idle is the handler they should never need.) */
    (void)on_idle;
    reactor_watch(r, busy[0], REACTOR_READ, on_ready, NULL);
    double t0 = timeline_now();
    reactor_run(r);
    double per_wait = (timeline_now() - t0) / PASSES;
    printf("%s: %d idle fds: %.2f us per wait\n", argv[1], idle, per_wait * 1e6);
    reactor_free(r);
    close_pipes(busy, idle_pipe);
    return 0;
}
