/* blockers: what a connection costs when each one has its own thread or
 * its own process. Starts N blocking fetches of one URL (use a slow one:
 * /slow?delay=3), waits until every one has sent its request and sits
 * blocked in read(), then measures memory: the process's RSS and virtual
 * size for threads, the children's summed Pss (/proc/PID/smaps_rollup)
 * for processes. flood prints the same figure for the reactor.
 * Left out: kernel memory (socket buffers, page tables, task structs).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "http.h"
#include "net.h"
#include "timeline.h"
#include "url.h"

static struct url target;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t all_sent = PTHREAD_COND_INITIALIZER;
static int n_sent;                 /* threads: requests out, under lock */

/* Connects and sends the GET: then the caller blocks reading. -1 on error. */
static int send_request(void)
{
    char req[URL_PATH_MAX + 512], err[NET_ERR_LEN];
    int len = http_format_get(req, sizeof req, &target);
    int fd = net_connect(target.host, target.port, timeline_now() + 30, err, sizeof err);
    if (fd < 0) {
        fprintf(stderr, "blockers: %s\n", err);
        return -1;
    }
    if (len < 0 || net_write_all(fd, req, (size_t)len, timeline_now() + 30) < 0) {
        fprintf(stderr, "blockers: send: %s\n", strerror(errno));
        net_close(fd);
        return -1;
    }
    return fd;
}

/* Blocks in read until the server has answered and closed. */
static int read_answer(int fd)
{
    char buf[4096];
    ssize_t n, total = 0;
    while ((n = net_read_some(fd, buf, sizeof buf, timeline_now() + 60)) > 0)
        total += n;
    close(fd);
    return n == 0 && total > 0 ? 0 : -1;
}

/* ---- threads ------------------------------------------------------ */

static void *thread_main(void *arg)
{
    int fd = send_request();
    pthread_mutex_lock(&lock);
    n_sent++;                        /* counted even when it failed */
    pthread_cond_signal(&all_sent);
    pthread_mutex_unlock(&lock);
    *(int *)arg = fd >= 0 && read_answer(fd) == 0;
    return NULL;
}

/* A field of /proc/self/status ("VmRSS:"), in KiB. */
static long status_kib(const char *field)
{
    char line[256];
    long kib = -1;
    FILE *f = fopen("/proc/self/status", "r");
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, field, strlen(field)) == 0)
            kib = atol(line + strlen(field));
    if (f != NULL)
        fclose(f);
    return kib;
}

static int run_threads(int n)
{
    pthread_t *threads = calloc((size_t)n, sizeof *threads);
    int *ok = calloc((size_t)n, sizeof *ok), started = 0, done = 0;
    long rss0 = status_kib("VmRSS:"), vsz0 = status_kib("VmSize:");
    for (; threads && ok && started < n; started++)
        if ((errno = pthread_create(&threads[started], NULL, thread_main, &ok[started])) != 0) {
            fprintf(stderr, "blockers: thread %d: %s\n", started + 1, strerror(errno));
            break;
        }
    pthread_mutex_lock(&lock);
    while (n_sent < started)
        pthread_cond_wait(&all_sent, &lock);
    pthread_mutex_unlock(&lock);
    long rss = status_kib("VmRSS:") - rss0, vsz = status_kib("VmSize:") - vsz0;
    printf("threads: %d blocked in read: RSS +%ld KiB (%ld bytes each), "
           "virtual +%ld MiB (%ld KiB each)\n", started, rss,
           started ? rss * 1024 / started : 0, vsz / 1024, started ? vsz / started : 0);
    fflush(stdout);
    for (int i = 0; i < started; i++) {
        pthread_join(threads[i], NULL);
        done += ok[i];
    }
    printf("threads: %d of %d answered\n", done, n);
    free(threads);
    free(ok);
    return done == n ? 0 : 1;
}

/* ---- processes ---------------------------------------------------- */

/* Pss and Rss of a process, in KiB, from /proc/PID/smaps_rollup. */
static void rollup_kib(pid_t pid, long *pss, long *rss)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
    FILE *f = fopen(path, "r");
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "Pss:", 4) == 0)
            *pss += atol(line + 4);
        else if (strncmp(line, "Rss:", 4) == 0)
            *rss += atol(line + 4);
    }
    if (f != NULL)
        fclose(f);
}

static void child_main(int ready_fd)
{
    int fd = send_request();
    char byte = fd >= 0 ? '1' : '0';
    if (write(ready_fd, &byte, 1) != 1)
        _exit(1);
    _exit(fd >= 0 && read_answer(fd) == 0 ? 0 : 1);
}

static int run_processes(int n)
{
    pid_t *pids = calloc((size_t)n, sizeof *pids);
    int ready[2], started = 0, done = 0;
    long pss = 0, rss = 0;
    if (pids == NULL || pipe(ready) < 0) {
        fprintf(stderr, "blockers: %s\n", strerror(errno));
        free(pids);
        return 1;
    }
    fflush(stdout);                   /* or every child prints it again */
    for (; started < n; started++) {
        if ((pids[started] = fork()) == 0) {
            close(ready[0]);
            child_main(ready[1]);
        }
        if (pids[started] < 0) {
            fprintf(stderr, "blockers: fork %d: %s\n", started + 1, strerror(errno));
            break;
        }
    }
    close(ready[1]);
    char byte;
    for (int i = 0; i < started && read(ready[0], &byte, 1) == 1; i++)
        ;                             /* one byte per child: its request is out */
    close(ready[0]);
    for (int i = 0; i < started; i++)
        rollup_kib(pids[i], &pss, &rss);
    printf("processes: %d blocked in read: summed Pss %ld KiB (%ld bytes each), "
           "summed Rss %ld KiB (%ld KiB each)\n", started, pss,
           started ? pss * 1024 / started : 0, rss, started ? rss / started : 0);
    fflush(stdout);
    for (int i = 0; i < started; i++) {
        int status;
        if (waitpid(pids[i], &status, 0) == pids[i] && WIFEXITED(status)
            && WEXITSTATUS(status) == 0)
            done++;
    }
    printf("processes: %d of %d answered\n", done, n);
    free(pids);
    return done == n ? 0 : 1;
}

int main(int argc, char **argv)
{
    char err[URL_ERR_LEN], *end;
    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        printf("usage: blockers --threads|--processes N URL\n"
               "N blocking fetches of URL, one per thread or per process; once all\n"
               "are blocked in read, print the memory they take. Use a slow URL.\n");
        return 0;
    }
    long n = argc == 4 ? strtol(argv[2], &end, 10) : 0;
    if (argc != 4 || (strcmp(argv[1], "--threads") && strcmp(argv[1], "--processes"))
        || *argv[2] == '\0' || *end != '\0' || n < 1 || n > 20000) {
        fprintf(stderr, "usage: blockers --threads|--processes N URL (N from 1 to 20000)\n");
        return 2;
    }
    if (url_parse(argv[3], &target, err, sizeof err) < 0) {
        fprintf(stderr, "blockers: %s: %s\n", argv[3], err);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    if (net_raise_fd_limit() < n + 10)
        fprintf(stderr, "blockers: the open-file limit (ulimit -Hn) is below %ld\n", n + 10);
    return argv[1][2] == 't' ? run_threads((int)n) : run_processes((int)n);
}
