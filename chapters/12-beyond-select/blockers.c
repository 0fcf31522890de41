/* blockers: what a connection costs when each one has its own thread or
 * its own process. Starts N blocking fetches of one URL (use a slow one:
 * /slow?delay=3), waits until every one has sent its request and sits
 * blocked in read(), then measures memory: the process's RSS and virtual
 * size for threads, the children's summed Pss (/proc/PID/smaps_rollup)
 * for processes. flood prints the same figure for the reactor.
 * Left out: kernel memory (socket buffers, page tables, task structs).
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
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

static int usage(FILE *out, int status)
{
    fprintf(out, "usage: blockers --threads N | --processes N URL\n"
                 "N blocking fetches of URL, one per thread or per process; once all\n"
                 "are blocked in read, print the memory they take. Use a slow URL.\n"
                 "  --threads N     N threads, 1 to 20000\n"
                 "  --processes N   N child processes, 1 to 20000\n");
    return status;
}

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("blockers: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'blockers --help'.\n", stderr);
    return 2;
}

/* -1 to go on, else the exit code (0 after --help, 2 after a usage error).
 * Sets *n and *processes (0: threads), and parses the URL into target. */
static int parse_options(int argc, char **argv, long *n, int *processes)
{
    static const struct option longs[] = {
        { "threads", required_argument, NULL, 't' },
        { "processes", required_argument, NULL, 'p' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    char err[URL_ERR_LEN], *end;
    int c;

    opterr = 0;   /* the messages are ours */
    while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        switch (c) {
        case 'h':
            return usage(stdout, 0);
        case 't':
        case 'p':
            *processes = c == 'p';
            *n = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || *n < 1 || *n > 20000)
                return usage_error("--%s must be a number from 1 to 20000, not '%s'",
                                   *processes ? "processes" : "threads", optarg);
            break;
        case ':':
            return usage_error("option '%s' needs a value", argv[optind - 1]);
        default:   /* '?': -x (in optopt) or --name (the argument read last) */
            return optopt ? usage_error("unknown option '-%c'", optopt)
                          : usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (*n == 0)
        return usage_error("--threads N or --processes N is needed");
    if (optind + 1 < argc)
        return usage_error("one URL only, not also '%s'", argv[optind + 1]);
    if (optind == argc)
        return usage_error("a URL is needed");
    if (url_parse(argv[optind], &target, err, sizeof err) < 0)
        return usage_error("%s: %s", argv[optind], err);
    return -1;
}

int main(int argc, char **argv)
{
    long n = 0;
    int processes = 0;
    int rc = parse_options(argc, argv, &n, &processes);

    if (rc >= 0)
        return rc;
    signal(SIGPIPE, SIG_IGN);
    if (net_raise_fd_limit() < n + 10)
        fprintf(stderr, "blockers: the open-file limit (ulimit -Hn) is below %ld\n", n + 10);
    return processes ? run_processes((int)n) : run_threads((int)n);
}
