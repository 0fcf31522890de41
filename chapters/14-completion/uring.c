/* uring: io_uring_setup, three mmaps and io_uring_enter; see uring.h.
 * Memory order: we read the kernel's indices (sq_head, cq_tail) with
 * acquire and publish ours (sq_tail, cq_head) with release, as the
 * io_uring man pages ask. Left out: everything uring.h leaves out.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "uring.h"

/* Fills err with "CALL: strerror(errno)" and what it likely means here. */
static int fail(char *err, size_t errlen, const char *call)
{
    int saved = errno;
    const char *why = "";
    if (saved == ENOSYS)
        why = " (this kernel has no io_uring, or a seccomp filter hides it)";
    else if (saved == EPERM)
        why = " (io_uring is disabled: see /proc/sys/kernel/io_uring_disabled,"
              " or a container's seccomp filter)";
    snprintf(err, errlen, "%s: %s%s", call, strerror(saved), why);
    errno = saved;
    return -1;
}

static void *map(int fd, size_t len, off_t offset)
{
    return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, offset);
}

/* The flags that save work where the kernel has them: completions are
 * run only when we wait for them (DEFER_TASKRUN, 6.1), by the one thread
 * that submits (SINGLE_ISSUER). Older kernels say EINVAL: plain ring. */
static int setup(unsigned entries, struct io_uring_params *p)
{
    unsigned wanted = IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP | IORING_SETUP_SUBMIT_ALL
                      | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    *p = (struct io_uring_params){ .flags = wanted, .cq_entries = 4 * entries };
    int fd = (int)syscall(SYS_io_uring_setup, entries, p);
    if (fd < 0 && errno == EINVAL) {
        *p = (struct io_uring_params){ .flags = IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP,
                                       .cq_entries = 4 * entries };
        fd = (int)syscall(SYS_io_uring_setup, entries, p);
    }
    return fd;
}

/* The SQ ring holds the indices and the array of slot numbers; the sqes
 * themselves are a mapping of their own; the CQ ring holds the indices and
 * the cqes. Where each field lies in them, p says. */
static int map_rings(struct uring *u, const struct io_uring_params *p)
{
    u->sq_map_len = p->sq_off.array + p->sq_entries * sizeof(unsigned);
    u->cq_map_len = p->cq_off.cqes + p->cq_entries * sizeof(struct io_uring_cqe);
    u->sqes_len = p->sq_entries * sizeof(struct io_uring_sqe);
    if ((u->sq_map = map(u->fd, u->sq_map_len, IORING_OFF_SQ_RING)) == MAP_FAILED
        || (u->cq_map = map(u->fd, u->cq_map_len, IORING_OFF_CQ_RING)) == MAP_FAILED
        || (u->sqes = map(u->fd, u->sqes_len, IORING_OFF_SQES)) == MAP_FAILED)
        return -1;
    return 0;
}

int uring_init(struct uring *u, unsigned entries, char *err, size_t errlen)
{
    struct io_uring_params p;
    *u = (struct uring){ .fd = -1, .sq_map = MAP_FAILED, .cq_map = MAP_FAILED,
                         .sqes = MAP_FAILED, .bufs = MAP_FAILED, .pool = MAP_FAILED };
    if ((u->fd = setup(entries, &p)) < 0)
        return fail(err, errlen, "io_uring_setup");
    if (map_rings(u, &p) < 0) {
        fail(err, errlen, "mmap of the io_uring rings");
        uring_free(u);
        return -1;
    }
    char *sq = u->sq_map, *cq = u->cq_map;
    u->sq_head = (_Atomic unsigned *)(sq + p.sq_off.head);
    u->sq_tail = (_Atomic unsigned *)(sq + p.sq_off.tail);
    u->sq_mask = *(unsigned *)(sq + p.sq_off.ring_mask);
    u->sq_entries = p.sq_entries;
    u->sq_array = (unsigned *)(sq + p.sq_off.array);
    u->sq_filled = atomic_load_explicit(u->sq_tail, memory_order_relaxed);
    u->cq_head = (_Atomic unsigned *)(cq + p.cq_off.head);
    u->cq_tail = (_Atomic unsigned *)(cq + p.cq_off.tail);
    u->cq_mask = *(unsigned *)(cq + p.cq_off.ring_mask);
    u->cq_entries = p.cq_entries;
    u->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
    return 0;
}

static void *anonymous(size_t len)
{
    return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

char *uring_buffer(struct uring *u, unsigned cqe_flags)
{
    if (!(cqe_flags & IORING_CQE_F_BUFFER))
        return NULL;
    return u->pool + (size_t)(cqe_flags >> IORING_CQE_BUFFER_SHIFT) * u->buf_size;
}

/* Puts the buffer a completion's flags name back in the pool. */
static void give_back(struct uring *u, unsigned cqe_flags)
{
    if (!(cqe_flags & IORING_CQE_F_BUFFER))
        return;
    unsigned short id = (unsigned short)(cqe_flags >> IORING_CQE_BUFFER_SHIFT);
    struct io_uring_buf *b = &u->bufs->bufs[u->buf_tail & (u->buf_count - 1)];
    b->addr = (uintptr_t)uring_buffer(u, cqe_flags);
    b->len = u->buf_size;
    b->bid = id;
    u->buf_tail++;
    /* The entry first, then the tail that shows it (the kernel reads the
     * tail with acquire). The tail shares its bytes with bufs[0].resv. */
    atomic_thread_fence(memory_order_release);
    *(volatile unsigned short *)&u->bufs->tail = u->buf_tail;
}

int uring_provide(struct uring *u, unsigned count, unsigned size, char *err, size_t errlen)
{
    u->bufs_len = count * sizeof(struct io_uring_buf);
    u->pool_len = (size_t)count * size;
    if ((u->bufs = anonymous(u->bufs_len)) == MAP_FAILED
        || (u->pool = anonymous(u->pool_len)) == MAP_FAILED)
        return fail(err, errlen, "mmap of the buffer pool");
    struct io_uring_buf_reg reg = { .ring_addr = (uintptr_t)u->bufs, .ring_entries = count,
                                    .bgid = URING_BUF_GROUP };
    if (syscall(SYS_io_uring_register, u->fd, IORING_REGISTER_PBUF_RING, &reg, 1) < 0) {
        u->buf_count = 0;
        fail(err, errlen, "io_uring_register(PBUF_RING)");
        if (errno == EINVAL)   /* older than 5.19: no IORING_OP_SOCKET either */
            snprintf(err, errlen, "io_uring_register(PBUF_RING): %s (Linux 5.19 or later "
                     "is needed)", strerror(EINVAL));
        return -1;
    }
    u->buf_count = count;
    u->buf_size = size;
    for (unsigned id = 0; id < count; id++)
        give_back(u, IORING_CQE_F_BUFFER | id << IORING_CQE_BUFFER_SHIFT);
    return 0;
}

struct io_uring_sqe *uring_sqe(struct uring *u)
{
    unsigned head = atomic_load_explicit(u->sq_head, memory_order_acquire);
    if (u->sq_filled - head >= u->sq_entries)
        return NULL;                              /* full: enter first */
    unsigned slot = u->sq_filled++ & u->sq_mask;
    u->sq_array[slot] = slot;                     /* slot i holds sqe i */
    memset(&u->sqes[slot], 0, sizeof u->sqes[slot]);
    return &u->sqes[slot];
}

void uring_prep(struct io_uring_sqe *sqe, int opcode, int fd, const void *addr,
                unsigned len, unsigned long long off)
{
    sqe->opcode = (unsigned char)opcode;
    sqe->fd = fd;
    sqe->addr = (uintptr_t)addr;
    sqe->len = len;
    sqe->off = off;
}

void uring_poll(struct uring *u, int fd, unsigned events, void *user_data)
{
    struct io_uring_sqe *sqe = uring_sqe_room(u, 1);
    uring_prep(sqe, IORING_OP_POLL_ADD, fd, NULL, 0, 0);
    sqe->poll32_events = events;
    sqe->user_data = (uintptr_t)user_data;
}

unsigned uring_room(const struct uring *u)
{
    return u->sq_entries - (u->sq_filled - atomic_load_explicit(u->sq_head, memory_order_acquire));
}

struct io_uring_sqe *uring_sqe_room(struct uring *u, unsigned room)
{
    while (u->error == 0 && uring_room(u) < room)
        if (uring_enter(u, 0) < 0 && errno != EINTR)
            u->error = errno;
    if (u->error != 0)
        return memset(&u->scratch, 0, sizeof u->scratch);
    return uring_sqe(u);
}

int uring_enter(struct uring *u, unsigned wait)
{
    if (u->error != 0) {                          /* see uring_sqe_room */
        errno = u->error;
        return -1;
    }
    atomic_store_explicit(u->sq_tail, u->sq_filled, memory_order_release);
    unsigned pending = u->sq_filled - atomic_load_explicit(u->sq_head, memory_order_acquire);
    unsigned flags = wait > 0 ? IORING_ENTER_GETEVENTS : 0;
    if (pending == 0 && wait == 0)
        return 0;
    if (syscall(SYS_io_uring_enter, u->fd, pending, wait, flags, NULL, 0) < 0)
        return -1;
    return 0;
}

struct io_uring_cqe *uring_peek(struct uring *u)
{
    unsigned head = atomic_load_explicit(u->cq_head, memory_order_relaxed);
    if (head == atomic_load_explicit(u->cq_tail, memory_order_acquire))
        return NULL;
    return &u->cqes[head & u->cq_mask];
}

void uring_seen(struct uring *u)
{
    unsigned head = atomic_load_explicit(u->cq_head, memory_order_relaxed);
    give_back(u, u->cqes[head & u->cq_mask].flags);
    atomic_store_explicit(u->cq_head, head + 1, memory_order_release);
}

struct __kernel_timespec uring_timespec(double seconds)
{
    long long whole = (long long)seconds;
    return (struct __kernel_timespec){ .tv_sec = whole,
                                       .tv_nsec = (long long)((seconds - (double)whole) * 1e9) };
}

void uring_free(struct uring *u)
{
    if (u->pool != MAP_FAILED)
        munmap(u->pool, u->pool_len);
    if (u->bufs != MAP_FAILED)
        munmap(u->bufs, u->bufs_len);
    if (u->sqes != MAP_FAILED)
        munmap(u->sqes, u->sqes_len);
    if (u->cq_map != MAP_FAILED)
        munmap(u->cq_map, u->cq_map_len);
    if (u->sq_map != MAP_FAILED)
        munmap(u->sq_map, u->sq_map_len);
    if (u->fd >= 0)
        close(u->fd);
    u->fd = -1;
}
