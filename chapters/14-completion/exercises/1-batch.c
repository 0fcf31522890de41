/* Exercise 14.1: many requests, few system calls.
 *   1-batch N
 * puts N NOPs (requests that do nothing and complete at once, user_data =
 * their number) through a ring of 256 slots and checks that every number
 * came back once. It works, but it makes one io_uring_enter per NOP:
 * N system calls, as many as a reactor would. Make it N / 256.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uring.h"

#define SLOTS 256

/* Takes every completion there is; marks its number in seen[]. */
static int reap(struct uring *u, char *seen, int n)
{
    int got = 0;
    struct io_uring_cqe *cqe;
    while ((cqe = uring_peek(u)) != NULL) {
        if (cqe->user_data < (unsigned long long)n && cqe->res == 0)
            seen[cqe->user_data]++;
        uring_seen(u);
        got++;
    }
    return got;
}

int main(int argc, char **argv)
{
    char err[URING_ERR_LEN];
    struct uring u;
    int n = argc == 2 ? atoi(argv[1]) : 0, enters = 0, completions = 0, distinct = 0;
    if (n <= 0 || n > 1000000) {
        fprintf(stderr, "usage: 1-batch N   (1 <= N <= 1000000)\n");
        return 2;
    }
    char *seen = calloc((size_t)n, 1);
    if (seen == NULL || uring_init(&u, SLOTS, err, sizeof err) < 0) {
        fprintf(stderr, "1-batch: %s\n", seen == NULL ? "out of memory" : err);
        free(seen);
        return 1;
    }
    for (int i = 0; i < n; i++) {
        struct io_uring_sqe *sqe = uring_sqe(&u);
        if (sqe == NULL)
            break;
        sqe->opcode = IORING_OP_NOP;
        sqe->user_data = (unsigned long long)i;
        if (uring_enter(&u, 1) < 0)           /* one request, one system call */
            break;
        enters++;
        completions += reap(&u, seen, n);
    }
    completions += reap(&u, seen, n);
    for (int i = 0; i < n; i++)
        distinct += seen[i] == 1;
    printf("batch: %d completions, %d distinct, %d io_uring_enter\n", completions, distinct, enters);
    uring_free(&u);
    free(seen);
    return completions == n && distinct == n ? 0 : 1;
}
