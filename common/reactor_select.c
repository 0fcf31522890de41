/* reactor_select: the reactor's waiting done with select(2), the oldest and
 * most portable way. Its limits are the lesson of chapter 12: an fd_set
 * holds only fds below FD_SETSIZE, and every call copies both sets into the
 * kernel and scans every fd up to the highest, ready or not.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <sys/select.h>

#include "reactor.h"
#include "reactor_backend.h"

struct select_state {
    fd_set readers, writers;   /* what we watch; select() gets copies */
    int max_fd;                /* highest fd watched, or -1 */
};

static void *select_create(void)
{
    struct select_state *s = malloc(sizeof *s);
    if (s == NULL)
        return NULL;
    FD_ZERO(&s->readers);
    FD_ZERO(&s->writers);
    s->max_fd = -1;
    return s;
}

static void select_destroy(void *state)
{
    free(state);
}

static int select_set(void *state, int fd, int old_events, int new_events)
{
    struct select_state *s = state;
    (void)old_events;
    /* FD_SET on an fd >= FD_SETSIZE writes past the end of the set: the
     * classic select() bug. Refuse, always (an assert would vanish under
     * -DNDEBUG). */
    if (fd < 0 || fd >= FD_SETSIZE) {
        errno = ERANGE;
        return -1;
    }
    FD_CLR(fd, &s->readers);
    FD_CLR(fd, &s->writers);
    if (new_events & REACTOR_READ)
        FD_SET(fd, &s->readers);
    if (new_events & REACTOR_WRITE)
        FD_SET(fd, &s->writers);
    if (new_events != 0 && fd > s->max_fd)
        s->max_fd = fd;
    while (s->max_fd >= 0 && !FD_ISSET(s->max_fd, &s->readers)
                          && !FD_ISSET(s->max_fd, &s->writers))
        s->max_fd--;   /* select() scans up to max_fd: keep it tight */
    return 0;
}

/* select() takes whole microseconds: round up, or the loop wakes a hair
 * before the timer is due and spins once. Clamp, as poll and epoll must
 * (INT_MAX ms, about 24.8 days): a timer may be due in 1e300 s or never
 * (+inf), and converting such a double to time_t is undefined. A wait cut
 * short by the clamp just ends with nothing ready, and the loop waits again. */
static struct timeval to_timeval(double timeout)
{
    double us = ceil(fmin(timeout, INT_MAX / 1e3) * 1e6);
    long long whole = (long long)us;
    return (struct timeval){ (time_t)(whole / 1000000), (suseconds_t)(whole % 1000000) };
}

static int select_wait(void *state, double timeout, struct reactor_fired *fired, int max)
{
    struct select_state *s = state;
    fd_set readable = s->readers, writable = s->writers;   /* select overwrites them */
    struct timeval tv = to_timeval(timeout);
    int ready = select(s->max_fd + 1, &readable, &writable, NULL, timeout < 0 ? NULL : &tv);
    if (ready < 0)
        return errno == EINTR ? 0 : -1;   /* a signal is just "nothing happened" */
    int n = 0;
    for (int fd = 0; fd <= s->max_fd && n < max; fd++) {
        int events = (FD_ISSET(fd, &readable) ? REACTOR_READ : 0)
                   | (FD_ISSET(fd, &writable) ? REACTOR_WRITE : 0);
        if (events != 0) {
            fired[n].fd = fd;
            fired[n].events = events;
            n++;
        }
    }
    return n;
}

const struct reactor_backend reactor_select_backend = {
    "select", select_create, select_destroy, select_set, select_wait,
};
