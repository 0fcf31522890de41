/* prefork: the aggregator on N worker processes forked after the listening
 * socket was opened, so they all accept on it: the kernel hands each new
 * connection to one of them. With --threads M each worker runs M threads.
 * The parent only waits: for a stop signal (the workers see it too, through
 * the shared stop pipe) and for its children, which it reaps.
 * Left out: restarting a worker that dies (see the README), sharing state
 * between workers (they share nothing but the socket).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aggregator.h"

/* Forks n workers. Returns how many were started. */
static int fork_workers(struct agg_server *s, int n, int threads)
{
    for (int i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            fprintf(stderr, "prefork: fork: %s\n", strerror(errno));
            agg_server_stop(s);                   /* the ones forked stop too */
            return i;
        }
        if (pid == 0) {                           /* the worker: serve, then exit */
            int rc = agg_serve_in_threads(s, threads, agg_call_in_turn) < 0;
            agg_server_close(s);
            exit(rc);
        }
    }
    return n;
}

/* Waits for every worker. 0 when all exited with status 0. */
static int reap_workers(int n)
{
    int failed = 0, status;
    while (n > 0) {
        pid_t pid = wait(&status);                /* EINTR: the stop signal */
        if (pid < 0 && errno == EINTR)
            continue;
        if (pid < 0) {
            fprintf(stderr, "prefork: wait: %s\n", strerror(errno));
            return 1;
        }
        n--;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
            continue;
        failed = 1;
        if (WIFSIGNALED(status))
            fprintf(stderr, "prefork: worker %d killed by signal %d\n", (int)pid,
                    WTERMSIG(status));
        else
            fprintf(stderr, "prefork: worker %d exited with %d\n", (int)pid,
                    WEXITSTATUS(status));
    }
    return failed;
}

int main(int argc, char **argv)
{
    struct agg_options o;
    struct agg_server s;
    int rc = agg_parse_options(argc, argv, "N forked worker processes sharing one socket.",
                               AGG_OPT_PROCESSES | AGG_OPT_THREADS, &o);
    if (rc != AGG_RUN)
        return rc;
    if (agg_server_start(&s, "prefork", &o) < 0) {
        agg_server_close(&s);
        return 1;
    }
    int started = fork_workers(&s, o.processes, o.threads);
    rc = reap_workers(started) || started < o.processes;
    agg_server_close(&s);
    return rc;
}
