/* co: green threads on the reactor. A coroutine is a function with its own
 * stack; co_read, co_write, co_connect and co_sleep look like the blocking
 * calls of net.h, but when they would wait they park the coroutine on the
 * reactor (an fd watch, a timer) and switch back to the loop, which resumes
 * the coroutine when the fd is ready or the timer is due. What asyncio's
 * await and gevent's monkey-patched sockets do, with ucontext.
 *
 * Rules:
 * - co_* calls other than co_spawn may only be made inside a coroutine.
 * - A coroutine runs until it parks or returns: nothing preempts it. A call
 *   that really blocks (sleep, a blocking read, fetch_blocking) inside a
 *   coroutine blocks the reactor, and so every coroutine.
 * - When fn returns, its stack is freed. A coroutine still parked when the
 *   reactor is freed leaks its stack: run the reactor until all are done,
 *   or, when reactor_run has failed, end them with co_fail_all.
 * - Stacks are CO_STACK_SIZE bytes of malloc'd memory with no guard page:
 *   a coroutine that uses more corrupts memory silently. Keep big buffers
 *   off coroutine stacks, or raise the size with co_set_stack_size.
 * Left out: joining, cancelling, passing values between coroutines,
 * threads (one reactor, one thread), growing stacks.
 */
#ifndef WAITLESS_CO_H
#define WAITLESS_CO_H

#include <stddef.h>
#include <sys/types.h>

#include "reactor.h"

#define CO_STACK_SIZE (64 * 1024)

typedef void co_fn(void *arg);

/* Starts fn(arg) as a coroutine on r: it first runs on the loop's next
 * turn. 0, or -1 with errno. */
int co_spawn(struct reactor *r, co_fn *fn, void *arg);

/* The stack size for coroutines spawned from now on (at least 16 KiB). */
void co_set_stack_size(size_t bytes);

/* How many coroutines exist (spawned, not yet returned). */
int co_live(void);

/* Like net_connect: a connected fd, or -1 with errno and err set (errno
 * ETIMEDOUT after `deadline`, an absolute timeline_now() time; 0 = never).
 * The fd is non-blocking. */
int co_connect(const char *host, int port, double deadline, char *err, size_t errlen);

/* Like net_read_some: bytes read, 0 at end of stream, -1 with errno. */
ssize_t co_read(int fd, void *buf, size_t len, double deadline);

/* Like net_write_all: all len bytes, or -1 with errno. */
int co_write(int fd, const void *buf, size_t len, double deadline);

/* Lets the loop run for `seconds` (a timer), then comes back. */
void co_sleep(double seconds);

/* For the loop's side, after reactor_run failed: ends every coroutine.
 * Each parked one is woken, its co_read, co_write or co_connect failing
 * with errno err (a co_sleep just ends), and so again each time it parks,
 * until it has unwound through its own error paths and returned; one that
 * never ran is just freed. A coroutine that ignores errors never ends. */
void co_fail_all(int err);

#endif
