/* co: coroutines with getcontext/makecontext/swapcontext, parked on the
 * reactor. Two stacks take turns: the loop's (where reactor_run and every
 * handler run) and one coroutine's. resume() switches loop -> coroutine;
 * park() switches coroutine -> loop. That is the whole trick.
 * Left out: see co.h; and swapcontext saves the signal mask with a system
 * call each switch, which a production library would avoid.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#include "co.h"
#include "dial.h"
#include "net.h"
#include "timeline.h"

struct coroutine {
    ucontext_t context;        /* where it is parked */
    void *stack;
    co_fn *fn;
    void *arg;
    struct reactor *reactor;
    struct timer timer;        /* its start, its deadline or its sleep */
    int wake_errno;            /* why park_on_fd woke: 0 ready, ETIMEDOUT, ... */
    int started, done;
    struct coroutine *prev, *next;   /* in `all` */
};

static ucontext_t loop_context;      /* the loop, while a coroutine runs */
static struct coroutine *current;    /* the running coroutine, or NULL */
static size_t stack_size = CO_STACK_SIZE;
static int live;
static struct coroutine *all;        /* every live coroutine, for co_fail_all */

void co_set_stack_size(size_t bytes)
{
    stack_size = bytes < 16 * 1024 ? 16 * 1024 : bytes;
}

int co_live(void)
{
    return live;
}

static void co_free(struct coroutine *co)
{
    if (co->prev != NULL)
        co->prev->next = co->next;
    else
        all = co->next;
    if (co->next != NULL)
        co->next->prev = co->prev;
    free(co->stack);
    free(co);
    live--;
}

/* Loop -> coroutine: runs it until it parks or returns. */
static void resume(struct coroutine *co)
{
    current = co;
    swapcontext(&loop_context, &co->context);   /* back here when it parks */
    current = NULL;
    if (co->done)              /* it returned: we are off its stack, free it */
        co_free(co);
}

/* Coroutine -> loop: someone has arranged to resume it later. */
static void park(struct coroutine *co)
{
    swapcontext(&co->context, &loop_context);   /* back here when resumed */
}

/* Every coroutine starts here, on its own stack; returning from this
 * function switches to loop_context (uc_link), right after the swapcontext
 * of resume(). */
static void trampoline(void)
{
    struct coroutine *co = current;
    co->started = 1;
    co->fn(co->arg);
    co->done = 1;
}

static void start_soon(struct reactor *r, void *arg)
{
    struct coroutine *co = arg;
    (void)r;
    resume(co);
}

int co_spawn(struct reactor *r, co_fn *fn, void *arg)
{
    struct coroutine *co = calloc(1, sizeof *co);
    if (co == NULL)
        return -1;
    *co = (struct coroutine){ .fn = fn, .arg = arg, .reactor = r };
    if ((co->stack = malloc(stack_size)) == NULL || getcontext(&co->context) < 0)
        goto fail;
    co->context.uc_stack.ss_sp = co->stack;
    co->context.uc_stack.ss_size = stack_size;
    co->context.uc_link = &loop_context;
    makecontext(&co->context, trampoline, 0);
    if (reactor_call_soon(r, &co->timer, start_soon, co) < 0)
        goto fail;
    live++;
    co->next = all;
    if (all != NULL)
        all->prev = co;
    all = co;
    return 0;
fail:
    free(co->stack);
    free(co);
    return -1;
}

/* The loop is gone, so this plays it: in rounds, it wakes every parked
 * coroutine itself, as its timer would have, with `err` for park_on_fd
 * to return. A coroutine that parks again is woken the next round, so
 * one waiting (co_sleep) for another to let go of something gets it. */
void co_fail_all(int err)
{
    while (all != NULL) {
        struct coroutine *next;
        for (struct coroutine *co = all; co != NULL; co = next) {
            next = co->next;   /* resume frees co only (spawns go on the front) */
            reactor_cancel(co->reactor, &co->timer);   /* its start, deadline or sleep */
            co->wake_errno = err;
            if (co->started)
                resume(co);
            else
                co_free(co);   /* never ran: nothing of it to unwind */
        }
    }
}

/* ---- parking on the reactor ------------------------------------------ */

static void wake_on_fd(struct reactor *r, int fd, int events, void *arg)
{
    (void)r, (void)fd, (void)events;
    resume(arg);
}

static void wake_on_timer(struct reactor *r, void *arg)
{
    struct coroutine *co = arg;
    (void)r;
    co->wake_errno = ETIMEDOUT;
    resume(co);
}

/* Clears why co will wake, and arms its timer for `deadline` (0: none). */
static int arm_deadline(struct coroutine *co, double deadline)
{
    co->wake_errno = 0;
    if (deadline <= 0)
        return 0;
    double left = deadline - timeline_now();
    return reactor_call_later(co->reactor, &co->timer, left > 0 ? left : 0, wake_on_timer, co);
}

/* Watches fd for `events` and arms the deadline, for co: 0, or -1 with
 * errno and nothing left armed. */
static int watch_until(struct coroutine *co, int fd, int events, double deadline)
{
    if (reactor_watch(co->reactor, fd, events, wake_on_fd, co) < 0)
        return -1;
    if (arm_deadline(co, deadline) < 0) {
        reactor_unwatch(co->reactor, fd);
        return -1;
    }
    return 0;
}

/* Parks the running coroutine until fd is ready for `events` or the
 * deadline passes. 0 when ready, -1 with errno (ETIMEDOUT, ERANGE...). */
static int park_on_fd(int fd, int events, double deadline)
{
    struct coroutine *co = current;
    if (co == NULL) {          /* not inside a coroutine: nobody to park */
        errno = EPERM;
        return -1;
    }
    if (watch_until(co, fd, events, deadline) < 0)
        return -1;
    park(co);                  /* the loop runs other coroutines meanwhile */
    reactor_unwatch(co->reactor, fd);
    reactor_cancel(co->reactor, &co->timer);   /* idle if it fired */
    if (co->wake_errno != 0) { /* ETIMEDOUT, or co_fail_all's */
        errno = co->wake_errno;
        return -1;
    }
    return 0;
}

void co_sleep(double seconds)
{
    struct coroutine *co = current;
    if (co == NULL) {
        fprintf(stderr, "co_sleep: called outside a coroutine\n");
        return;
    }
    if (reactor_call_later(co->reactor, &co->timer, seconds > 0 ? seconds : 0,
                           wake_on_timer, co) == 0)
        park(co);
}

/* ---- the calls that look blocking ------------------------------------- */

ssize_t co_read(int fd, void *buf, size_t len, double deadline)
{
    size_t n;
    enum net_nb got;
    while ((got = net_read_nb(fd, buf, len, &n)) == NET_AGAIN)
        if (park_on_fd(fd, REACTOR_READ, deadline) < 0)   /* the loop runs meanwhile */
            return -1;
    return got == NET_ERROR ? -1 : (ssize_t)n;        /* NET_END: 0 */
}

int co_write(int fd, const void *buf, size_t len, double deadline)
{
    const char *p = buf;
    while (len > 0) {
        size_t n;
        enum net_nb sent = net_send_nb(fd, p, len, &n);   /* send(MSG_NOSIGNAL) */
        if (sent == NET_ERROR)
            return -1;
        if (sent == NET_AGAIN && park_on_fd(fd, REACTOR_WRITE, deadline) < 0)
            return -1;
        p += n;                                         /* 0 when NET_AGAIN */
        len -= n;
    }
    return 0;
}

/* What a coroutine in co_connect waits for: common/dial's answer. */
struct dialing {
    struct coroutine *co;
    int answered, fd, error;
    char *err;
    size_t errlen;
};

static void wake_on_dial(struct reactor *r, int fd, const char *err, void *arg)
{
    struct dialing *w = arg;
    int dial_errno = errno;
    /* dial hands the fd over still watched (dial.h); co_connect's caller
     * closes it without the reactor (fetch_with's net_close), and watches
     * it through co_write and co_read only when it must wait. */
    if (fd >= 0)
        reactor_unwatch(r, fd);
    *w = (struct dialing){ w->co, 1, fd, dial_errno, w->err, w->errlen };
    if (fd < 0)
        snprintf(w->err, w->errlen, "%s", err);
    resume(w->co);
}

/* The lookup (off the loop) and the race between the addresses are
 * common/dial's; we park until it calls back or the deadline passes. */
int co_connect(const char *host, int port, double deadline, char *err, size_t errlen)
{
    struct coroutine *co = current;
    char where[NET_HOST_PORT_LEN];
    if (co == NULL) {          /* not inside a coroutine: nobody to park */
        errno = EPERM;
        snprintf(err, errlen, "co_connect: %s", strerror(errno));
        return -1;
    }
    struct dialing w = { co, 0, -1, 0, err, errlen };
    struct dial *d = dial_start(co->reactor, host, port, wake_on_dial, &w, err, errlen);
    if (d == NULL)
        return -1;
    if (arm_deadline(co, deadline) < 0) {
        dial_cancel(&d);
        snprintf(err, errlen, "reactor_call_later: %s", strerror(errno));
        return -1;
    }
    park(co);                  /* the loop races the addresses meanwhile */
    reactor_cancel(co->reactor, &co->timer);   /* idle if it fired */
    if (!w.answered) {         /* the deadline (ETIMEDOUT), or co_fail_all */
        dial_cancel(&d);
        errno = co->wake_errno;
        snprintf(err, errlen, "connect %s: %s", net_host_port(where, sizeof where, host, port),
                 strerror(errno));
        return -1;
    }
    errno = w.error;
    return w.fd;
}
