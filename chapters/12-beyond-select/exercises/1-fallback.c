/* Exercise 12.1: fall back from select to poll at the wall.
 *   1-fallback N URL
 * opens N connections to URL at once on a reactor (its backend from
 * $WAITLESS_BACKEND, select by default) and reads each answer to the end.
 * On select, every fd past 1023 fails. Make it switch to poll instead.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "net.h"
#include "reactor.h"
#include "url.h"

struct conn {
    int fd;              /* -1 when finished */
    int events;          /* what it is watched for */
    int sent;
};

static struct reactor *reactor;
static struct url target;
static char request[URL_PATH_MAX + 512];
static int request_len, completed, failed;

static void finish(struct conn *c, int ok)
{
    reactor_unwatch(reactor, c->fd);
    close(c->fd);
    c->fd = -1;
    if (ok)
        completed++;
    else
        failed++;
}

static void on_ready(struct reactor *r, int fd, int events, void *arg)
{
    struct conn *c = arg;
    char buf[4096];
    (void)events;
    if (!c->sent) {
        if (net_connect_result(fd, target.host, target.port, NULL, 0) < 0
            || write(fd, request, (size_t)request_len) != request_len) {
            finish(c, 0);
            return;
        }
        c->sent = 1;
        c->events = REACTOR_READ;
        if (reactor_watch(r, fd, c->events, on_ready, c) < 0)
            finish(c, 0);
        return;
    }
    ssize_t n = read(fd, buf, sizeof buf);
    if (n == 0)
        finish(c, 1);                    /* the server closed: answer complete */
    else if (n < 0 && errno != EAGAIN && errno != EINTR)
        finish(c, 0);
}

static void start(struct conn *c)
{
    c->fd = net_connect_start(target.host, target.port, NULL, 0);
    if (c->fd < 0) {
        failed++;
        return;
    }
    c->events = REACTOR_WRITE;
    if (reactor_watch(reactor, c->fd, c->events, on_ready, c) == 0)
        return;
    /* TODO: on ERANGE (select's wall), move every open connection to a
     * poll reactor, print "switched from select to poll at fd N", and
     * watch this one there too. */
    finish(c, 0);
}

int main(int argc, char **argv)
{
    char err[URL_ERR_LEN];
    int n = argc == 3 ? atoi(argv[1]) : 0;
    if (n < 1 || url_parse(argv[2], &target, err, sizeof err) < 0) {
        fprintf(stderr, "usage: 1-fallback N URL\n");
        return 2;
    }
    request_len = http_format_get(request, sizeof request, &target);
    net_raise_fd_limit();
    struct conn *conns = calloc((size_t)n, sizeof *conns);
    reactor = reactor_new();
    if (conns == NULL || reactor == NULL) {
        fprintf(stderr, "1-fallback: %s\n", strerror(errno));
        free(conns);
        reactor_free(reactor);
        return 1;
    }
    for (int i = 0; i < n; i++)
        start(&conns[i]);
    reactor_run(reactor);
    printf("fallback(%s): %d completed, %d failed\n", reactor_backend_name(reactor),
           completed, failed);
    reactor_free(reactor);
    free(conns);
    return failed > 0;
}
