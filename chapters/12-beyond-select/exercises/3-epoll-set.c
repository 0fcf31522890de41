/* Exercise 12.3: the epoll backend's set() (exercises/3-epoll-set.md).
 *   3-epoll-set
 * A reactor backend is four functions (common/reactor_backend.h). This
 * file has an epoll backend's set() and a driver that calls it directly,
 * step by step, the way the reactor would. The kernel keeps the interest
 * list, so each change must name its kind: ADD, MOD or DEL.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "reactor.h"
#include "reactor_backend.h"

static int epfd;

/* fd was watched for old_events, is now to be watched for new_events
 * (0: not at all). 0, or -1 with errno. */
static int my_set(int fd, int old_events, int new_events)
{
    struct epoll_event ev = { 0 };
    (void)old_events;
    ev.events = ((new_events & REACTOR_READ) ? EPOLLIN : 0)
              | ((new_events & REACTOR_WRITE) ? EPOLLOUT : 0);
    ev.data.fd = fd;
    /* TODO: ADD is right only for an fd not watched yet. Changing events
     * needs MOD, stopping needs DEL, and an fd that was closed while
     * watched (and its number reused) is unknown to epoll: MOD fails
     * with ENOENT, and ADD is what it needs. */
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

/* Waits up to `timeout` ms; returns the events of fd (READ|WRITE), 0. */
static int my_wait(int fd, int timeout)
{
    struct epoll_event events[8];
    int n = epoll_wait(epfd, events, 8, timeout), found = 0;
    for (int i = 0; i < n; i++)
        if (events[i].data.fd == fd)
            found = ((events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) ? REACTOR_READ : 0)
                  | ((events[i].events & (EPOLLOUT | EPOLLERR)) ? REACTOR_WRITE : 0);
    return found;
}

static int failures;

/* One step: set old -> new, wait, expect `want` to be reported. */
static void step(int n, const char *what, int fd, int old_events, int new_events, int want)
{
    if (my_set(fd, old_events, new_events) < 0) {
        printf("step %d (%s): FAIL: set: %s\n", n, what, strerror(errno));
        failures++;
        return;
    }
    int got = my_wait(fd, 0);
    printf(got == want ? "step %d (%s): ok\n" : "step %d (%s): FAIL: reported %d, not %d\n",
           n, what, got, want);
    failures += got != want;
}

int main(void)
{
    int s[2], t[2];
    /* A socket with a byte waiting: readable and writable. */
    if ((epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, s) < 0
        || write(s[1], "x", 1) != 1 || socketpair(AF_UNIX, SOCK_STREAM, 0, t) < 0
        || write(t[1], "y", 1) != 1) {
        perror("3-epoll-set");
        return 2;
    }
    int R = REACTOR_READ, W = REACTOR_WRITE;
    step(1, "watch for reading", s[0], 0, R, R);
    step(2, "switch to writing", s[0], R, W, W);
    step(3, "watch both", s[0], W, R | W, R | W);
    step(4, "unwatch", s[0], R | W, 0, 0);
    step(5, "watch again", s[0], 0, R, R);
    /* Closed while watched (a bug the reactor tolerates), number reused. */
    close(s[0]);
    dup2(t[0], s[0]);
    step(6, "a reused fd number", s[0], R, R | W, R | W);
    printf("epoll set: %s\n", failures ? "FAILED" : "all steps pass");
    close(s[0]);
    close(s[1]);
    close(t[0]);
    close(t[1]);
    close(epfd);
    return failures > 0;
}
