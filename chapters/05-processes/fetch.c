/* Chapter 05: a process per URL. The parent forks one child per URL; each
 * child runs chapter 01's fetch_blocking() and sends the result back over
 * its own pipe: a fixed-size header, then the body. The parent waits on
 * every pipe at once with poll(), so no child sits blocked on a full pipe,
 * reaps each child with waitpid() as soon as its pipe is done (no zombies),
 * and on SIGINT or SIGTERM kills and reaps its children, then exits 130/143.
 * Left out: a cap on the children alive at once, and a pool of processes
 * that fetch many URLs each (both are exercises).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fetch.h"
#include "fetchcli.h"
#include "http.h"
#include "net.h"
#include "timeline.h"

/* The parent's view of one child. */
struct child {
    pid_t pid;                    /* 0 once reaped (or never started) */
    int fd;                       /* the read end of its pipe, -1 once closed */
    nfds_t slot;                  /* where drain() put fd in poll()'s array */
    struct fetch_result head;     /* the message: the child's result, then the body */
    size_t got;                   /* bytes of it so far */
    char *body;
};

/* A signal handler may do almost nothing safely: it notes the signal and
 * writes a byte to a pipe that poll() watches, so the main loop wakes up
 * (the "self-pipe trick"). */
static int signal_pipe[2] = { -1, -1 };
static volatile sig_atomic_t caught_signal;
static sigset_t stop_signals;     /* SIGINT and SIGTERM */

static void on_stop_signal(int signo)
{
    int saved_errno = errno;
    caught_signal = signo;
    if (write(signal_pipe[1], "!", 1) < 0) { /* full: poll() is awake already */ }
    errno = saved_errno;
}

static void set_stop_handler(void (*handler)(int))
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* In the child: fetch, send the result up the pipe, exit. Never returns.
 * The message is the fetch_result struct as it is, then the body. Its
 * pointers mean nothing in the parent (memory is not shared any more): the
 * parent keeps its own url and builds the body from the bytes that follow.
 * _exit, not exit: the parent's stdio buffers are not the child's to flush. */
static void run_child(struct fetch_result *r, double timeout, int out)
{
    fetch_blocking(r, timeout);
    if (net_write_all(out, r, sizeof *r, 0) != 0
        || net_write_all(out, r->body, r->bytes, 0) != 0)   /* waits while the pipe is full */
        _exit(1);                                           /* the parent has gone */
    _exit(0);
}

/* Starts the child for URL i, with a pipe from it to us. SIGINT and
 * SIGTERM stay blocked across fork() until the child has its default
 * handlers back: a Ctrl-C in between must kill the child, not run our
 * handler in it. */
static int start_child(struct fetch_job *job, struct child *kids, int i)
{
    struct fetch_result *r = &job->results[i];
    int fds[2];
    sigset_t old_mask;

    r->start = timeline_now();
    if (pipe(fds) != 0) {
        report_fail(r, "pipe: %s", strerror(errno));
        r->end = timeline_now();
        return -1;
    }
    sigprocmask(SIG_BLOCK, &stop_signals, &old_mask);
    pid_t pid = fork();
    if (pid == 0) {                          /* the child */
        /* The parent's ends of the older siblings' pipes are not ours: a
         * copy here would keep a sibling's pipe open after the parent has
         * closed it, and that sibling would block on it, not get EPIPE. */
        for (int k = 0; k < job->n; k++)
            if (kids[k].fd >= 0)
                close(kids[k].fd);
        close(fds[0]);
        close(signal_pipe[0]);
        close(signal_pipe[1]);
        set_stop_handler(SIG_DFL);
        sigprocmask(SIG_SETMASK, &old_mask, NULL);
        run_child(r, job->timeout, fds[1]);
    }
    int fork_errno = errno;
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    close(fds[1]);         /* ours: while we hold it, the pipe can never reach EOF */
    if (pid < 0) {
        close(fds[0]);
        report_fail(r, "fork: %s", strerror(fork_errno));
        r->end = timeline_now();
        return -1;
    }
    kids[i].pid = pid;
    kids[i].fd = fds[0];
    return 0;
}

/* Waits for the child to end (retrying EINTR); its wait status. */
static int reap(pid_t pid)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        continue;
    return status;
}

/* Fills in r from what child c sent (want bytes were due) and how it ended. */
static void fill_result(struct child *c, struct fetch_result *r, size_t want, int status)
{
    if (c->got == want && c->body != NULL) {   /* the whole message arrived */
        const char *url = r->url;
        *r = c->head;                          /* status, bytes, times, error */
        r->url = url;
        r->error[sizeof r->error - 1] = '\0';
        r->body = c->body;                     /* the result owns the body now */
        c->body = NULL;
    } else if (WIFSIGNALED(status)) {
        report_fail(r, "child killed by signal %d (%s)", WTERMSIG(status),
                    strsignal(WTERMSIG(status)));
    } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
        report_fail(r, "child exited with status %d", WEXITSTATUS(status));
    } else {
        report_fail(r, "child sent a short message: %zu of %zu bytes", c->got, want);
    }
    free(c->body);
    c->body = NULL;
}

/* Child c's pipe is done (complete, closed or broken): reap the child at
 * once, so it does not linger as a zombie, and fill in its result. */
static void finish_child(struct child *c, struct fetch_result *r)
{
    size_t want = sizeof c->head + (c->got >= sizeof c->head ? c->head.bytes : 0);

    close(c->fd);
    c->fd = -1;
    int status = reap(c->pid);
    c->pid = 0;
    r->end = timeline_now();
    fill_result(c, r, want, status);
}

/* Reads what child c has sent since last time, into its head, then its
 * body. 1 when the message is complete or the pipe closed or broke (then
 * finish the child), 0 to wait for more. */
static int read_child(struct child *c)
{
    const size_t head_size = sizeof c->head;
    char *into = (char *)&c->head + c->got;
    size_t missing = head_size - c->got;

    if (c->got >= head_size) {
        into = c->body + (c->got - head_size);
        missing = c->head.bytes - (c->got - head_size);
    }
    ssize_t n = read(c->fd, into, missing);   /* poll said it will not block */
    if (n < 0 && errno == EINTR)
        return 0;
    if (n <= 0)
        return 1;                             /* closed early: a short message */
    c->got += (size_t)n;
    if (c->got == head_size) {                /* the head is in: room for the body */
        if (c->head.bytes > HTTP_BODY_MAX || (c->body = malloc(c->head.bytes + 1)) == NULL)
            return 1;
    }
    return c->got >= head_size && c->got == head_size + c->head.bytes;
}

/* Puts the signal pipe and every open pipe in fds[]: how many it put. Only
 * open pipes go in: poll() refuses (EINVAL) more entries than the fd limit,
 * closed or not. */
static nfds_t fill_fds(struct child *kids, int n, struct pollfd *fds)
{
    nfds_t used = 1;                      /* fds[0]: the signal pipe */
    fds[0] = (struct pollfd){ .fd = signal_pipe[0], .events = POLLIN };
    for (int i = 0; i < n; i++)
        if (kids[i].fd >= 0) {
            kids[i].slot = used;
            fds[used++] = (struct pollfd){ .fd = kids[i].fd, .events = POLLIN };
        }
    return used;
}

/* Waits on every pipe at once and reads whichever has data. A parent that
 * read the pipes one by one would leave the other children blocked on full
 * 64 KiB pipes. Returns 0 when every child is finished, the signal number after SIGINT or SIGTERM, or -1 if poll() failed. */
static int drain(struct child *kids, struct fetch_result *results, int n,
                 struct pollfd *fds)
{
    for (;;) {
        nfds_t used = fill_fds(kids, n, fds);
        if (used == 1)
            return 0;
        /* No timeout: each child has its own --timeout. */
        if (poll(fds, used, -1) < 0 && errno != EINTR) {
            fprintf(stderr, "processes: poll: %s\n", strerror(errno));
            return -1;
        }
        if (caught_signal)
            return caught_signal;
        for (int i = 0; i < n; i++)
            if (kids[i].fd >= 0 && fds[kids[i].slot].revents != 0 && read_child(&kids[i]))
                finish_child(&kids[i], &results[i]);
    }
}

/* Why the unfinished URLs were not fetched. */
static const char *stop_reason(int stopped_by)
{
    return stopped_by == SIGINT ? "interrupted by SIGINT"
         : stopped_by == SIGTERM ? "interrupted by SIGTERM" : "not fetched";
}

/* Ctrl-C, kill, or a failure: end the children still running, reap every
 * one of them, and mark every unfinished URL with why we stopped. */
static void stop_children(struct child *kids, struct fetch_result *results, int n,
                          int stopped_by)
{
    const char *why = stop_reason(stopped_by);
    for (int i = 0; kids && i < n; i++)
        if (kids[i].pid > 0)
            kill(kids[i].pid, SIGTERM);       /* children have the default action: die */
    for (int i = 0; i < n; i++) {
        if (kids && kids[i].pid > 0) {
            close(kids[i].fd);
            reap(kids[i].pid);
            free(kids[i].body);
            results[i].end = timeline_now();
        }
        if (results[i].end == 0 || (kids && kids[i].pid > 0))
            report_fail(&results[i], "%s", why);   /* never started, or killed */
    }
}

/* The handler, and the pipe it writes to. */
static int catch_stop_signals(void)
{
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    if (pipe(signal_pipe) != 0 || net_set_nonblocking(signal_pipe[1]) != 0) {
        fprintf(stderr, "processes: signal pipe: %s\n", strerror(errno));
        return -1;
    }
    set_stop_handler(on_stop_signal);
    return 0;
}

/* A child per URL, then their answers: what drain() returns. */
static int run_children(struct fetch_job *job, struct child *kids, struct pollfd *fds)
{
    for (int i = 0; i < job->n; i++)
        kids[i].fd = -1;
    for (int i = 0; i < job->n && !caught_signal; i++)
        start_child(job, kids, i);                                 /* fork */
    return drain(kids, job->results, job->n, fds);                 /* read all, reap each */
}

int main(int argc, char **argv)
{
    struct fetch_job job;
    int rc = fetchcli_parse(&job, argc, argv, "processes",
                            "Fetch each URL in a child process of its own (chapter 05).",
                            NULL, 0);
    if (rc != FETCHCLI_RUN)
        return rc;
    struct child *kids = calloc((size_t)job.n, sizeof *kids);
    struct pollfd *fds = calloc((size_t)job.n + 1, sizeof *fds);
    int stopped_by = -1;     /* 0: every child finished; a signal; -1: a failure */

    if (kids == NULL || fds == NULL)
        fprintf(stderr, "processes: out of memory\n");
    else if (catch_stop_signals() == 0) {
        stopped_by = run_children(&job, kids, fds);
    }
    if (stopped_by != 0)
        stop_children(kids, job.results, job.n, stopped_by);
    free(kids);
    free(fds);
    for (int k = 0; k < 2; k++)
        if (signal_pipe[k] >= 0)
            close(signal_pipe[k]);
    rc = fetchcli_finish(&job);
    return stopped_by > 0 ? 128 + stopped_by : rc;
}
