/* Exercise 3 (solution): a buffer belongs to the kernel until its
 * completion comes.
 *   3-ownership URL...
 * connects to each URL (blocking, with common/net), queues one SEND of its
 * GET request per URL, submits them all with one io_uring_enter, then one
 * RECV per answer, and prints "N: STATUS BYTES" per URL. The request is a
 * buffer of the conn, freed only when its SEND has completed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "net.h"
#include "url.h"
#include "uring.h"

struct conn {
    int fd, done;
    char *request;                 /* the kernel reads it until SEND completes */
    char buf[16 * 1024];           /* the kernel writes it until RECV completes */
    struct http_response response;
};

static void queue(struct uring *u, int op, struct conn *c, void *data, size_t len, int i)
{
    struct io_uring_sqe *sqe = uring_sqe(u);   /* the ring has a slot per conn */
    sqe->opcode = (unsigned char)op;
    sqe->fd = c->fd;
    sqe->addr = (unsigned long long)(uintptr_t)data;
    sqe->len = (unsigned)len;
    sqe->user_data = (unsigned long long)i;
}

/* Queues c's GET. The request outlives this function: the SEND only goes
 * in at the next io_uring_enter, and the kernel reads it then. */
static int queue_get(struct uring *u, struct conn *c, const struct url *target, int i)
{
    char request[URL_PATH_MAX + 512];
    int len = http_format_get(request, sizeof request, target);
    if (len < 0 || (c->request = strndup(request, (size_t)len)) == NULL)
        return -1;
    queue(u, IORING_OP_SEND, c, c->request, (size_t)len, i);
    return 0;
}

/* A completion for conn i: a SEND (request still set) or a RECV. */
static void on_completion(struct uring *u, struct conn *c, int i, int res, int *left)
{
    char err[HTTP_ERR_LEN];
    if (c->request != NULL) {          /* the SEND is done: the buffer is ours again */
        free(c->request);
        c->request = NULL;
        if (res > 0) {
            queue(u, IORING_OP_RECV, c, c->buf, sizeof c->buf, i);
            return;
        }
    } else if (res > 0 && http_response_feed(&c->response, c->buf, (size_t)res, err,
                                             sizeof err) == HTTP_MORE) {
        queue(u, IORING_OP_RECV, c, c->buf, sizeof c->buf, i);
        return;
    } else if (res == 0) {
        http_response_eof(&c->response, err, sizeof err);
    }
    c->done = 1;
    (*left)--;
}

int main(int argc, char **argv)
{
    char err[URING_ERR_LEN > NET_ERR_LEN ? URING_ERR_LEN : NET_ERR_LEN];
    struct uring u;
    int n = argc - 1, left = 0, rc = 0;
    if (n < 1 || n > 1000) {
        fprintf(stderr, "usage: 3-ownership URL...   (1 to 1000 URLs)\n");
        return 2;
    }
    struct conn *conns = calloc((size_t)n, sizeof *conns);
    if (conns == NULL || uring_init(&u, 1024, err, sizeof err) < 0) {
        fprintf(stderr, "3-ownership: %s\n", conns == NULL ? "out of memory" : err);
        free(conns);
        return 1;
    }
    for (int i = 0; i < n; i++) {
        struct url target;
        http_response_init(&conns[i].response);
        conns[i].fd = -1;
        if (url_parse(argv[i + 1], &target, err, sizeof err) < 0
            || (conns[i].fd = net_connect(target.host, target.port, 0, err, sizeof err)) < 0
            || queue_get(&u, &conns[i], &target, i) < 0) {
            fprintf(stderr, "3-ownership: %s: %s\n", argv[i + 1], err);
            conns[i].done = 1;
            continue;
        }
        left++;
    }
    while (left > 0 && uring_enter(&u, 1) == 0) {
        struct io_uring_cqe *cqe;
        while ((cqe = uring_peek(&u)) != NULL) {
            int i = (int)cqe->user_data, res = cqe->res;
            uring_seen(&u);
            on_completion(&u, &conns[i], i, res, &left);
        }
    }
    for (int i = 0; i < n; i++) {
        printf("%d: %d %zu\n", i + 1, conns[i].response.status, conns[i].response.body_len);
        rc |= conns[i].response.status != 200;
        free(conns[i].request);
        http_response_free(&conns[i].response);
        net_close(conns[i].fd);
    }
    uring_free(&u);
    free(conns);
    return rc;
}
