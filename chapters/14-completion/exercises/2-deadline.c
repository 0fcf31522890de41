/* Exercise 14.2: a deadline as a linked timeout (exercises/2-deadline.md).
 *   2-deadline S URL
 * connects (blocking, with common/net), sends the GET, then reads the
 * answer through the ring, one RECV at a time, and gives up S seconds
 * after it started.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "net.h"
#include "timeline.h"
#include "url.h"
#include "uring.h"

enum { RECV = 1, DEADLINE = 2 };   /* user_data */

/* Queues a RECV into buf. TODO: give up after `left` s (`ts` is for you). */
static void queue_recv(struct uring *u, int fd, char *buf, size_t len, double left,
                       struct __kernel_timespec *ts)
{
    struct io_uring_sqe *sqe = uring_sqe(u);
    (void)left, (void)ts;
    sqe->opcode = IORING_OP_RECV;
    sqe->fd = fd;
    sqe->addr = (uintptr_t)buf;
    sqe->len = (unsigned)len;
    sqe->user_data = RECV;
}

/* One RECV round: its result (bytes, 0 at the end, -errno), -ETIME when
 * the deadline cancelled it. Returns 1 when the answer is still coming. */
static int one_round(struct uring *u, int fd, char *buf, size_t len, double deadline, int *res)
{
    struct __kernel_timespec ts;
    int seen = 0, timed_out = 0;
    queue_recv(u, fd, buf, len, deadline - timeline_now(), &ts);
    while (seen < 1) {                        /* the RECV's */
        if (uring_enter(u, 1) < 0) {
            *res = -errno;
            return 0;
        }
        struct io_uring_cqe *cqe;
        while ((cqe = uring_peek(u)) != NULL) {
            if (cqe->user_data == RECV)
                *res = cqe->res;
            else if (cqe->res == -ETIME)
                timed_out = 1;
            uring_seen(u);
            seen++;
        }
    }
    if (timed_out && *res == -ECANCELED)
        *res = -ETIME;
    return 1;
}

int main(int argc, char **argv)
{
    char err[URING_ERR_LEN > NET_ERR_LEN ? URING_ERR_LEN : NET_ERR_LEN], request[URL_PATH_MAX + 512];
    static char buf[16 * 1024];
    double seconds = argc == 3 ? atof(argv[1]) : 0;
    struct url target;
    struct uring u;
    struct http_response response;
    if (seconds <= 0 || url_parse(argv[2], &target, err, sizeof err) < 0) {
        fprintf(stderr, "usage: 2-deadline SECONDS URL\n");
        return 2;
    }
    double deadline = timeline_now() + seconds;
    int len = http_format_get(request, sizeof request, &target), fd, res = 0;
    if (len < 0 || uring_init(&u, 8, err, sizeof err) < 0) {
        fprintf(stderr, "2-deadline: %s\n", len < 0 ? "URL too long" : err);
        return 1;
    }
    if ((fd = net_connect(target.host, target.port, deadline, err, sizeof err)) < 0
        || net_write_all(fd, request, (size_t)len, deadline) < 0) {
        fprintf(stderr, "2-deadline: %s: %s\n", argv[2], fd < 0 ? err : strerror(errno));
        net_close(fd);
        uring_free(&u);
        return 1;
    }
    http_response_init(&response);
    enum http_progress progress = HTTP_MORE;
    while (progress == HTTP_MORE && one_round(&u, fd, buf, sizeof buf, deadline, &res) && res > 0)
        progress = http_response_feed(&response, buf, (size_t)res, err, sizeof err);
    if (progress == HTTP_MORE && res == 0)
        progress = http_response_eof(&response, err, sizeof err);
    if (progress == HTTP_DONE)
        printf("deadline: %d, %zu bytes\n", response.status, response.body_len);
    else if (res == -ETIME)
        printf("deadline: timed out after %.2f s\n", seconds);
    else
        printf("deadline: failed: %s\n", progress == HTTP_ERROR ? err : strerror(-res));
    http_response_free(&response);
    net_close(fd);
    uring_free(&u);
    return progress == HTTP_DONE ? 0 : 1;
}
