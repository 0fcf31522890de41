/* reactor_backend: the few calls a way of waiting (select, poll, epoll)
 * must provide to the reactor, as Redis's ae does with ae_select.c and
 * ae_epoll.c. Internal to common/: programs use reactor.h only.
 */
#ifndef WAITLESS_REACTOR_BACKEND_H
#define WAITLESS_REACTOR_BACKEND_H

/* One fd that is ready, as the backend reports it. */
struct reactor_fired {
    int fd;
    int events;         /* REACTOR_READ | REACTOR_WRITE */
    unsigned serial;    /* filled in by the reactor, not the backend */
};

struct reactor_backend {
    const char *name;
    void *(*create)(void);                 /* NULL with errno on failure */
    void (*destroy)(void *state);
    /* fd was watched for old_events and is now to be watched for
     * new_events (0: not at all). 0, or -1 with errno. */
    int (*set)(void *state, int fd, int old_events, int new_events);
    /* Waits at most `timeout` seconds (-1: no limit) and stores up to
     * `max` ready fds in fired. Returns how many; 0 on timeout or EINTR;
     * -1 with errno when waiting failed (EBADF: a watched fd was closed,
     * where the backend can tell). Counted as Linux's select does:
     * a hang-up is READ, an error READ|WRITE; the reactor keeps only what
     * the fd is watched for. */
    int (*wait)(void *state, double timeout, struct reactor_fired *fired, int max);
};

extern const struct reactor_backend reactor_select_backend;
extern const struct reactor_backend reactor_poll_backend;
extern const struct reactor_backend reactor_epoll_backend;   /* Linux only */

#endif
