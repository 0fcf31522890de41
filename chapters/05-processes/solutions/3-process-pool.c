/* Exercise 3-process-pool, solved: --workers N processes are forked once
 * and fetch every URL between them. Each worker has two pipes: a task pipe
 * (parent to worker: the index of the next URL, an int) and a result pipe
 * (worker to parent: the fetch_result, then the body, as in chapter 05).
 * The parent gives each worker one URL, and the next one as soon as its
 * result is complete; when no URL is left it closes the worker's task
 * pipe, the worker reads end-of-file and exits, and the parent reaps it.
 * Left out: restarting a worker that died (its URL fails; the others go on).
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

static int workers = 4;        /* --workers N */

/* The parent's view of one worker. */
struct worker {
    pid_t pid;                 /* 0 once reaped (or never started) */
    int task_fd;               /* write end of its task pipe, -1 once closed */
    int result_fd;             /* read end of its result pipe, -1 once closed */
    nfds_t slot;               /* where drain() put result_fd in poll()'s array */
    int current;               /* the URL it is fetching, -1 when none */
    struct fetch_result head;  /* the message being read: result, then body */
    size_t got;
    char *body;
};

static int signal_pipe[2] = { -1, -1 };
static volatile sig_atomic_t caught_signal;
static sigset_t stop_signals;

/* kit: fetch.c#on_stop_signal() */
static void on_stop_signal(int signo)
{
    int saved_errno = errno;
    caught_signal = signo;
    if (write(signal_pipe[1], "!", 1) < 0) { /* full: poll() is awake already */ }
    errno = saved_errno;
}
/* end kit */

/* kit: fetch.c#set_stop_handler() */
static void set_stop_handler(void (*handler)(int))
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}
/* end kit */

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Reads one task (a URL index) from fd: 0, or -1 at end-of-file. */
static int read_task(int fd, int *index)
{
    size_t got = 0;

    while (got < sizeof *index) {
        ssize_t n = read(fd, (char *)index + got, sizeof *index - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    return 0;
}

/* In a worker: fetch each URL the parent sends, send back each result,
 * exit at end-of-file. Never returns. */
static void run_worker(struct fetch_job *job, int tasks, int results)
{
    int i;

    while (read_task(tasks, &i) == 0) {
        if (i < 0 || i >= job->n)
            _exit(2);
        struct fetch_result *r = &job->results[i];
        fetch_blocking(r, job->timeout);
        if (net_write_all(results, r, sizeof *r, 0) != 0
            || net_write_all(results, r->body, r->bytes, 0) != 0)
            _exit(1);
        free(r->body);
        r->body = NULL;
    }
    _exit(0);
}

/* Forks worker w with its two pipes. In the child, the pipes of the
 * workers forked before it must be closed: a sibling holding a copy of
 * worker 0's task pipe would keep worker 0 from ever seeing end-of-file. */
static int start_worker(struct worker *pool, int w, struct fetch_job *job)
{
    int tasks[2], results[2];
    sigset_t old_mask;

    if (pipe(tasks) != 0)
        return -1;
    if (pipe(results) != 0) {
        net_close(tasks[0]);
        net_close(tasks[1]);
        return -1;
    }
    sigprocmask(SIG_BLOCK, &stop_signals, &old_mask);
    pid_t pid = fork();
    if (pid == 0) {
        for (int k = 0; k < w; k++) {
            close_fd(&pool[k].task_fd);
            close_fd(&pool[k].result_fd);
        }
        close(tasks[1]);
        close(results[0]);
        close(signal_pipe[0]);
        close(signal_pipe[1]);
        set_stop_handler(SIG_DFL);
        sigprocmask(SIG_SETMASK, &old_mask, NULL);
        run_worker(job, tasks[0], results[1]);
    }
    int fork_errno = errno;
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    close(tasks[0]);
    close(results[1]);
    if (pid < 0) {
        close(tasks[1]);
        close(results[0]);
        errno = fork_errno;
        return -1;
    }
    pool[w] = (struct worker){ .pid = pid, .task_fd = tasks[1], .result_fd = results[0],
                               .current = -1 };
    return 0;
}

/* Gives worker wk the next URL, or, when none is left, closes its task
 * pipe so that it exits. */
static void give_next(struct worker *wk, struct fetch_job *job, int *next)
{
    wk->current = -1;
    if (*next >= job->n) {
        close_fd(&wk->task_fd);
        return;
    }
    int i = (*next)++;
    wk->current = i;
    job->results[i].start = timeline_now();
    if (net_write_all(wk->task_fd, &i, sizeof i, 0) != 0)
        close_fd(&wk->task_fd);   /* the worker is gone: its result pipe will say how */
}

/* kit: fetch.c#reap() */
static int reap(pid_t pid)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        continue;
    return status;
}
/* end kit */

/* The result pipe of wk closed: reap it; the URL it was on (if any) fails. */
static void finish_worker(struct worker *wk, struct fetch_job *job)
{
    close_fd(&wk->result_fd);
    close_fd(&wk->task_fd);
    int status = reap(wk->pid);
    wk->pid = 0;
    free(wk->body);
    wk->body = NULL;
    if (wk->current < 0)
        return;
    struct fetch_result *r = &job->results[wk->current];
    r->end = timeline_now();
    if (WIFSIGNALED(status))
        report_fail(r, "worker killed by signal %d (%s)", WTERMSIG(status),
                    strsignal(WTERMSIG(status)));
    else
        report_fail(r, "worker exited with status %d before sending its result",
                    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* The message from wk is complete: store it, and hand out the next URL. */
static void take_result(struct worker *wk, struct fetch_job *job, int *next)
{
    struct fetch_result *r = &job->results[wk->current];
    const char *url = r->url;

    *r = wk->head;
    r->url = url;
    r->error[sizeof r->error - 1] = '\0';
    r->body = wk->body;
    wk->body = NULL;
    wk->got = 0;
    give_next(wk, job, next);
}

/* Reads from wk's result pipe. 1 when the pipe closed (finish the
 * worker), 0 to go on. */
static int read_worker(struct worker *wk, struct fetch_job *job, int *next)
{
    const size_t head_size = sizeof wk->head;
    char *into = (char *)&wk->head + wk->got;
    size_t missing = head_size - wk->got;

    if (wk->got >= head_size) {
        into = wk->body + (wk->got - head_size);
        missing = wk->head.bytes - (wk->got - head_size);
    }
    ssize_t n = read(wk->result_fd, into, missing);
    if (n < 0 && errno == EINTR)
        return 0;
    if (n <= 0 || wk->current < 0)   /* closed, or talking out of turn */
        return 1;
    wk->got += (size_t)n;
    if (wk->got == head_size
        && (wk->head.bytes > HTTP_BODY_MAX || (wk->body = malloc(wk->head.bytes + 1)) == NULL))
        return 1;
    if (wk->got >= head_size && wk->got == head_size + wk->head.bytes)
        take_result(wk, job, next);
    return 0;
}

/* Hands out the first URLs, then waits on every result pipe at once until
 * every worker is finished. 0, a signal number, or -1 if poll() failed. */
static int drain(struct worker *pool, int n_workers, struct fetch_job *job,
                 struct pollfd *fds)
{
    int next = 0;

    for (int w = 0; w < n_workers; w++)
        if (pool[w].pid > 0)
            give_next(&pool[w], job, &next);
    for (;;) {
        nfds_t used = 1;                      /* fds[0]: the signal pipe */
        fds[0] = (struct pollfd){ .fd = signal_pipe[0], .events = POLLIN };
        for (int w = 0; w < n_workers; w++)   /* open pipes only, as in chapter 05 */
            if (pool[w].result_fd >= 0) {
                pool[w].slot = used;
                fds[used++] = (struct pollfd){ .fd = pool[w].result_fd, .events = POLLIN };
            }
        if (used == 1)
            return 0;
        if (poll(fds, used, -1) < 0 && errno != EINTR) {
            fprintf(stderr, "processes: poll: %s\n", strerror(errno));
            return -1;
        }
        if (caught_signal)
            return caught_signal;
        for (int w = 0; w < n_workers; w++)
            if (pool[w].result_fd >= 0 && fds[pool[w].slot].revents != 0
                && read_worker(&pool[w], job, &next))
                finish_worker(&pool[w], job);
    }
}

/* Ends every worker still alive and reaps it; marks every URL not done. */
static void stop_workers(struct worker *pool, int n_workers, struct fetch_job *job,
                         int stopped_by)
{
    const char *why = stopped_by == SIGINT ? "interrupted by SIGINT"
                    : stopped_by == SIGTERM ? "interrupted by SIGTERM"
                    : "not fetched: no worker left";

    for (int w = 0; pool && w < n_workers; w++)
        if (pool[w].pid > 0)
            kill(pool[w].pid, SIGTERM);
    for (int w = 0; pool && w < n_workers; w++) {
        if (pool[w].pid > 0) {
            pool[w].current = -1;
            finish_worker(&pool[w], job);
        }
    }
    for (int i = 0; i < job->n; i++)
        if (job->results[i].end == 0) {
            report_fail(&job->results[i], "%s", why);
            if (job->results[i].start != 0)
                job->results[i].end = timeline_now();
        }
}

/* kit: fetch.c#catch_stop_signals() */
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
/* end kit */

int main(int argc, char **argv)
{
    struct fetch_job job;
    const struct fetchcli_option options[] = {
        { "--workers", "N", "worker processes that fetch every URL between them (default 4)",
          &workers, 1, 1000, NULL },
    };
    int rc = fetchcli_parse(&job, argc, argv, "processes",
                            "Fetch the URLs with a pool of worker processes (exercise 05-3).",
                            options, 1);
    if (rc != FETCHCLI_RUN)
        return rc;
    int n_workers = workers < job.n ? workers : job.n;
    struct worker *pool = calloc((size_t)n_workers, sizeof *pool);
    struct pollfd *fds = calloc((size_t)n_workers + 1, sizeof *fds);
    int stopped_by = -1;

    if (pool == NULL || fds == NULL)
        fprintf(stderr, "processes: out of memory\n");
    else if (catch_stop_signals() == 0) {
        for (int w = 0; w < n_workers; w++) {
            pool[w] = (struct worker){ .task_fd = -1, .result_fd = -1, .current = -1 };
            if (!caught_signal && start_worker(pool, w, &job) != 0)
                fprintf(stderr, "processes: starting worker %d: %s\n", w + 1, strerror(errno));
        }
        stopped_by = drain(pool, n_workers, &job, fds);
    }
    stop_workers(pool, n_workers, &job, stopped_by);   /* after 0: marks URLs left over */
    free(pool);
    free(fds);
    for (int k = 0; k < 2; k++)
        if (signal_pipe[k] >= 0)
            close(signal_pipe[k]);
    rc = fetchcli_finish(&job);
    return stopped_by > 0 ? 128 + stopped_by : rc;
}
