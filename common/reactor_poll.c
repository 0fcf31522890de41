/* reactor_poll: the reactor's waiting done with poll(2). No FD_SETSIZE
 * wall: the kernel gets an array of (fd, events) pairs of any length. But
 * like select, every call copies the whole array in and out of the kernel
 * and both sides scan all of it, ready or not: O(watched fds) per wait.
 * Left out: ppoll (nanosecond timeouts, signal masks).
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>

#include "reactor.h"
#include "reactor_backend.h"

struct poll_state {
    struct pollfd *fds;   /* the array poll() gets: fds[0..n_fds) */
    int n_fds, fds_capacity;
    int *slot_of;         /* slot_of[fd]: index of fd in fds, -1 if absent */
    int map_capacity;
};

static void *poll_create(void)
{
    return calloc(1, sizeof(struct poll_state));
}

static void poll_destroy(void *state)
{
    struct poll_state *s = state;
    free(s->fds);
    free(s->slot_of);
    free(s);
}

/* Makes room for fd in the map and for one more entry in the array. */
static int make_room(struct poll_state *s, int fd)
{
    if (fd >= s->map_capacity) {
        int capacity = s->map_capacity ? s->map_capacity : 64;
        while (capacity <= fd)
            capacity *= 2;
        int *map = realloc(s->slot_of, (size_t)capacity * sizeof *map);
        if (map == NULL)
            return -1;
        for (int i = s->map_capacity; i < capacity; i++)
            map[i] = -1;
        s->slot_of = map;
        s->map_capacity = capacity;
    }
    if (s->n_fds == s->fds_capacity) {
        int capacity = s->fds_capacity ? 2 * s->fds_capacity : 64;
        struct pollfd *fds = realloc(s->fds, (size_t)capacity * sizeof *fds);
        if (fds == NULL)
            return -1;
        s->fds = fds;
        s->fds_capacity = capacity;
    }
    return 0;
}

static short poll_events(int events)
{
    return (short)(((events & REACTOR_READ) ? POLLIN : 0)
                 | ((events & REACTOR_WRITE) ? POLLOUT : 0));
}

static int poll_set(void *state, int fd, int old_events, int new_events)
{
    struct poll_state *s = state;
    int slot = fd < s->map_capacity ? s->slot_of[fd] : -1;
    (void)old_events;
    if (new_events == 0) {                /* remove: the last entry fills the hole */
        if (slot < 0)
            return 0;
        s->fds[slot] = s->fds[--s->n_fds];
        s->slot_of[s->fds[slot].fd] = slot;
        s->slot_of[fd] = -1;
        return 0;
    }
    if (slot < 0) {                       /* add at the end */
        if (make_room(s, fd) < 0)
            return -1;
        slot = s->n_fds++;
        s->slot_of[fd] = slot;
        s->fds[slot] = (struct pollfd){ .fd = fd };
    }
    s->fds[slot].events = poll_events(new_events);
    return 0;
}

/* poll() takes whole milliseconds: round up, or a timer due in 0.4 ms
 * would make the loop spin with timeout 0 until it is due. */
static int to_milliseconds(double timeout)
{
    if (timeout < 0)
        return -1;
    double ms = ceil(timeout * 1000);
    return ms < INT_MAX ? (int)ms : INT_MAX;
}

static int poll_wait(void *state, double timeout, struct reactor_fired *fired, int max)
{
    struct poll_state *s = state;
    int ready = poll(s->fds, (nfds_t)s->n_fds, to_milliseconds(timeout));
    if (ready < 0)
        return errno == EINTR ? 0 : -1;   /* a signal is just "nothing happened" */
    int n = 0;
    for (int i = 0; i < s->n_fds && n < max && n < ready; i++) {   /* the O(n) scan */
        short re = s->fds[i].revents;
        if (re == 0)
            continue;
        if (re & POLLNVAL) {   /* a watched fd was closed: as select says, EBADF */
            errno = EBADF;
            return -1;
        }
        /* Counted as Linux's select counts them: a hang-up is readable
         * (read returns 0), an error is both (the call says which). */
        int events = ((re & (POLLIN | POLLHUP | POLLERR)) ? REACTOR_READ : 0)
                   | ((re & (POLLOUT | POLLERR)) ? REACTOR_WRITE : 0);
        fired[n].fd = s->fds[i].fd;
        fired[n].events = events;
        n++;
    }
    return n;
}

const struct reactor_backend reactor_poll_backend = {
    "poll", poll_create, poll_destroy, poll_set, poll_wait,
};
