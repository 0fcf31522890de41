/* uring: the least of io_uring a proactor needs, on the raw system calls
 * (no liburing): one ring, its two queues mapped into our memory, a free
 * submission slot on demand, one io_uring_enter to submit and wait, the
 * completions read in place.
 * Reads take their buffer from a pool the ring owns (a provided-buffer
 * ring, Linux 5.19): the kernel picks one when data arrives, so a
 * thousand waiting reads hold no memory.
 * Left out: SQPOLL (a kernel thread that polls the queue), registered
 * files, CQE32/SQE128, more than one thread per ring.
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
    /* The buffer pool: bufs[] lists the buffers the kernel may fill;
     * we add one back (and move bufs->tail) once its data is used. */
    struct io_uring_buf_ring *bufs;
    char *pool;
    unsigned buf_count, buf_size;
    unsigned short buf_tail;
    int error;                   /* see uring_sqe_room */
    struct io_uring_sqe scratch;
    /* the mappings, for uring_free */
    void *sq_map, *cq_map;
    size_t sq_map_len, cq_map_len, sqes_len, bufs_len, pool_len;
};

#define URING_BUF_GROUP 0   /* the pool's id: sqe->buf_group */

/* Sets up a ring of `entries` submission slots (and 4 x as many completion
 * slots). 0, or -1 with errno and err saying why: ENOSYS (no io_uring in
 * this kernel), EPERM (io_uring_disabled, or a seccomp filter) ... */
int uring_init(struct uring *u, unsigned entries, char *err, size_t errlen);

/* Gives the ring a pool of `count` (a power of two) buffers of `size`
 * bytes, for requests with IOSQE_BUFFER_SELECT. 0, or -1 with err. */
int uring_provide(struct uring *u, unsigned count, unsigned size, char *err, size_t errlen);

/* The buffer a completion's flags name, NULL when IORING_CQE_F_BUFFER is
 * not set. It goes back to the pool at uring_seen. */
char *uring_buffer(struct uring *u, unsigned cqe_flags);

/* A zeroed submission slot to fill, or NULL when the queue is full
 * (uring_enter(u, 0) makes room). It goes in at the next uring_enter. */
struct io_uring_sqe *uring_sqe(struct uring *u);

/* Fills the fields most requests use, as liburing's io_uring_prep_rw
 * does: what the operation is, its fd, an address, a length, an offset
 * (each opcode gives them its own meaning: io_uring_enter(2)). */
void uring_prep(struct io_uring_sqe *sqe, int opcode, int fd, const void *addr,
                unsigned len, unsigned long long off);

/* Queues a one-shot POLL_ADD (as uring_sqe_room does): it completes, its
 * user_data as given, once fd has one of `events` (POLLIN, ...). */
void uring_poll(struct uring *u, int fd, unsigned events, void *user_data);

/* How many submission slots are free now. */
unsigned uring_room(const struct uring *u);

/* A zeroed submission slot with `room` - 1 more free behind it (requests
 * linked with IOSQE_IO_LINK must go in with one io_uring_enter), making
 * room by submitting what is queued. Never NULL: when that submitting
 * fails, a scratch slot that never goes in, and every uring_enter from
 * then on fails with the same errno. */
struct io_uring_sqe *uring_sqe_room(struct uring *u, unsigned room);

/* Submits what was queued and waits until at least `wait` completions are
 * there. Returns 0, or -1 with errno (EINTR: call again). */
int uring_enter(struct uring *u, unsigned wait);

/* The oldest completion not yet seen, or NULL. Until uring_seen, its slot
 * and the pool buffer it names are ours; uring_seen gives both back (as
 * liburing's io_uring_buf_ring_cq_advance), so use them first. */
struct io_uring_cqe *uring_peek(struct uring *u);
void uring_seen(struct uring *u);

/* Seconds as the timespec a TIMEOUT or LINK_TIMEOUT points at. */
struct __kernel_timespec uring_timespec(double seconds);

void uring_free(struct uring *u);

#endif
