/* uring: the least of io_uring a proactor needs, on the raw system calls
 * (no liburing): one ring, its two queues mapped into our memory, a free
 * submission slot on demand, one io_uring_enter to submit and wait, the
 * completions read in place.
 * Left out: SQPOLL (a kernel thread that polls the queue), registered
 * files and buffers, CQE32/SQE128, more than one thread per ring.
 */
#ifndef WAITLESS_URING_H
#define WAITLESS_URING_H

#include <linux/io_uring.h>
#include <stdatomic.h>
#include <stddef.h>

#define URING_ERR_LEN 256

struct uring {
    int fd;
    /* The submission queue: we write sqes[] and move *sq_tail; the
     * kernel consumes them and moves *sq_head. */
    _Atomic unsigned *sq_head, *sq_tail;
    unsigned *sq_array, sq_mask, sq_entries;
    struct io_uring_sqe *sqes;
    unsigned sq_filled;          /* our tail: slots handed out so far */
    /* The completion queue: the kernel writes cqes[] and moves *cq_tail;
     * we read them and move *cq_head. */
    _Atomic unsigned *cq_head, *cq_tail;
    unsigned cq_mask, cq_entries;
    struct io_uring_cqe *cqes;
    /* the mappings, for uring_free */
    void *sq_map, *cq_map;
    size_t sq_map_len, cq_map_len, sqes_len;
};

/* Sets up a ring of `entries` submission slots (and 4 x as many completion
 * slots). 0, or -1 with errno and err saying why: ENOSYS (no io_uring in
 * this kernel), EPERM (io_uring_disabled, or a seccomp filter) ... */
int uring_init(struct uring *u, unsigned entries, char *err, size_t errlen);

/* A zeroed submission slot to fill, or NULL when the queue is full
 * (uring_enter(u, 0) makes room). It goes in at the next uring_enter. */
struct io_uring_sqe *uring_sqe(struct uring *u);

/* Submits what was queued and waits until at least `wait` completions are
 * there. Returns 0, or -1 with errno (EINTR: call again). */
int uring_enter(struct uring *u, unsigned wait);

/* The oldest completion not yet seen, or NULL; uring_seen lets its slot go
 * (after that the cqe may be overwritten: copy what you need first). */
struct io_uring_cqe *uring_peek(struct uring *u);
void uring_seen(struct uring *u);

void uring_free(struct uring *u);

#endif
