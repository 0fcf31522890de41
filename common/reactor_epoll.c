/* reactor_epoll: the reactor's waiting done with Linux's epoll(7). The
 * kernel keeps the interest list between calls (epoll_ctl changes it, one
 * fd at a time) and epoll_wait returns only the fds that are ready: no
 * copying or scanning of idle fds, so a wait costs O(ready), not O(watched).
 * Level-triggered, like select and poll. Left out: edge triggering,
 * EPOLLONESHOT, epoll_pwait2's nanosecond timeouts. Linux only.
 */
#ifdef __linux__
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "reactor.h"
#include "reactor_backend.h"

struct epoll_state {
    int epfd;
    struct epoll_event *events;   /* epoll_wait fills this */
    int events_capacity;
};

static void *epoll_create_state(void)
{
    struct epoll_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (s->epfd < 0) {
        free(s);
        return NULL;
    }
    return s;
}

static void epoll_destroy(void *state)
{
    struct epoll_state *s = state;
    close(s->epfd);
    free(s->events);
    free(s);
}

static int epoll_set(void *state, int fd, int old_events, int new_events)
{
    struct epoll_state *s = state;
    struct epoll_event ev = { 0 };
    ev.events = ((new_events & REACTOR_READ) ? EPOLLIN : 0)
              | ((new_events & REACTOR_WRITE) ? EPOLLOUT : 0);
    ev.data.fd = fd;
    if (new_events == 0) {
        /* Fails with EBADF or ENOENT if fd was already closed, which took
         * it out of the interest list anyway: nothing to undo. */
        epoll_ctl(s->epfd, EPOLL_CTL_DEL, fd, &ev);
        return 0;
    }
    if (old_events == 0)
        return epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev);
    if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, fd, &ev) == 0)
        return 0;
    /* ENOENT: the fd was closed while watched and its number reused; the
     * kernel forgot the old one, so this is really an ADD. */
    return errno == ENOENT ? epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) : -1;
}

static int to_milliseconds(double timeout)
{
    if (timeout < 0)
        return -1;
    double ms = ceil(timeout * 1000);   /* round up: waking early would spin */
    return ms < INT_MAX ? (int)ms : INT_MAX;
}

static int epoll_wait_ready(void *state, double timeout, struct reactor_fired *fired, int max)
{
    struct epoll_state *s = state;
    int room = max > 0 ? max : 1;   /* epoll_wait refuses 0 (only timers yet) */
    if (room > s->events_capacity) {   /* the reactor's fired array grew */
        struct epoll_event *events = realloc(s->events, (size_t)room * sizeof *events);
        if (events == NULL)
            return -1;
        s->events = events;
        s->events_capacity = room;
    }
    int ready = epoll_wait(s->epfd, s->events, room, to_milliseconds(timeout));
    if (ready < 0)
        return errno == EINTR ? 0 : -1;   /* a signal is just "nothing happened" */
    if (ready > max)
        ready = max;
    for (int i = 0; i < ready; i++) {     /* only the ready ones: no scan */
        unsigned re = s->events[i].events;
        fired[i].fd = s->events[i].data.fd;
        /* As select counts them: hang-up = readable, error = both. */
        fired[i].events = ((re & (EPOLLIN | EPOLLHUP | EPOLLERR)) ? REACTOR_READ : 0)
                        | ((re & (EPOLLOUT | EPOLLERR)) ? REACTOR_WRITE : 0);
    }
    return ready;
}

const struct reactor_backend reactor_epoll_backend = {
    "epoll", epoll_create_state, epoll_destroy, epoll_set, epoll_wait_ready,
};
#else
typedef int reactor_epoll_is_linux_only;   /* ISO C wants something in a file */
#endif
