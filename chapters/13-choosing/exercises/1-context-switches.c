/* Exercise 1 (chapter 13): context switches.
 * This is measure.c as it is. Add two fields to its line, after exit=N:
 *   vcsw=N    voluntary context switches (the command waited: I/O, sleep)
 *   ivcsw=N   involuntary ones (the scheduler took the CPU away)
 * wait4 fills them in already. Which model of the book waits the most?
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "timeline.h"

/* kit: measure.c#struct peaks */
struct peaks {
    long threads, processes, rss_kib;   /* the largest sums seen in one sample */
};
/* end kit */

static pid_t child_pid = -1;

/* ---- sampling /proc ----------------------------------------------- */

/* Every process on the machine with its parent, from /proc/PID/stat. */
/* kit: measure.c#struct proc */
struct proc {
    pid_t pid, parent;
    int in_tree;                            /* the command or a descendant */
};
/* end kit */

/* kit: measure.c#struct proc_list */
struct proc_list {
    struct proc *procs;
    size_t n, cap;
};
/* end kit */

/* kit: measure.c#add_proc() */
static int add_proc(struct proc_list *l, pid_t pid, pid_t parent)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 1024;
        struct proc *p = realloc(l->procs, cap * sizeof *p);
        if (p == NULL)
            return -1;
        l->procs = p;
        l->cap = cap;
    }
    l->procs[l->n++] = (struct proc){ pid, parent, 0 };
    return 0;
}
/* end kit */

/* kit: measure.c#by_pid() */
static int by_pid(const void *a, const void *b)
{
    pid_t x = ((const struct proc *)a)->pid, y = ((const struct proc *)b)->pid;
    return (x > y) - (x < y);
}
/* end kit */

/* kit: measure.c#read_parents() */
static int read_parents(struct proc_list *l)
{
    DIR *proc = opendir("/proc");
    struct dirent *e;
    if (proc == NULL)
        return -1;
    l->n = 0;
    while ((e = readdir(proc)) != NULL) {
        char path[300], line[512];
        long pid = strtol(e->d_name, NULL, 10), ppid;
        if (pid <= 0)
            continue;
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue;                       /* it ended while we looked */
        /* "pid (name) state ppid ...": the name may hold spaces, so the
         * fields start after the last ')'. */
        char *close_paren = fgets(line, sizeof line, f) ? strrchr(line, ')') : NULL;
        if (close_paren != NULL && sscanf(close_paren + 1, " %*c %ld", &ppid) == 1
            && add_proc(l, (pid_t)pid, (pid_t)ppid) < 0) {
            fclose(f);
            break;
        }
        fclose(f);
    }
    closedir(proc);
    return 0;
}
/* end kit */

/* Adds pid's Threads: and VmRSS: (from /proc/PID/status) to the sums. */
/* kit: measure.c#add_status() */
static void add_status(pid_t pid, long *threads, long *rss_kib)
{
    char path[64], line[256];
    long value;
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    while (fgets(line, sizeof line, f) != NULL) {
        if (sscanf(line, "Threads: %ld", &value) == 1)
            *threads += value;
        else if (sscanf(line, "VmRSS: %ld", &value) == 1)
            *rss_kib += value;
    }
    fclose(f);
}
/* end kit */

/* kit: measure.c#mark_tree() */
static void mark_tree(pid_t root, struct proc_list *l)
{
    qsort(l->procs, l->n, sizeof *l->procs, by_pid);
    for (int joined = 1; joined;) {
        joined = 0;
        for (size_t i = 0; i < l->n; i++) {
            struct proc *p = &l->procs[i], key = { .pid = p->parent };
            struct proc *parent = bsearch(&key, l->procs, l->n, sizeof key, by_pid);
            if (!p->in_tree && (p->pid == root || (parent != NULL && parent->in_tree)))
                p->in_tree = joined = 1;
        }
    }
}
/* end kit */

/* slide:sample */
/* One look at the command's process tree: how many processes, threads
 * and resident KiB it has right now; keeps the largest of each. */
/* kit: measure.c#sample() */
static void sample(pid_t root, struct proc_list *l, struct peaks *peaks)
{
    long processes = 0, threads = 0, rss_kib = 0;
    if (read_parents(l) < 0)
        return;
    mark_tree(root, l);
    for (size_t i = 0; i < l->n; i++) {
        if (!l->procs[i].in_tree)
            continue;
        processes++;
        add_status(l->procs[i].pid, &threads, &rss_kib);
    }
    if (processes > peaks->processes)
        peaks->processes = processes;
    if (threads > peaks->threads)
        peaks->threads = threads;
    if (rss_kib > peaks->rss_kib)
        peaks->rss_kib = rss_kib;
}
/* end kit */
/* end slide */

/* ---- running the command ------------------------------------------ */

/* kit: measure.c#forward_signal() */
static void forward_signal(int signo)
{
    if (child_pid > 0)
        kill(child_pid, signo);             /* the command decides how to stop */
}
/* end kit */

/* Does nothing, but a caught SIGCHLD interrupts nanosleep: the wall time
 * ends when the command does, not up to one interval later. */
/* kit: measure.c#on_child() */
static void on_child(int signo)
{
    (void)signo;
}
/* end kit */

/* Runs argv, sampling until it ends. Its wait status, or -1. */
static int run(char **argv, double interval, struct rusage *usage, struct peaks *peaks)
{
    struct proc_list procs = { 0 };
    struct timespec pause = { 0, (long)(interval * 1e9) };
    int status;
    if ((child_pid = fork()) < 0)
        return -1;
    if (child_pid == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, "measure: %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    for (;;) {
        /* slide:wait4 */
        pid_t done = wait4(child_pid, &status, WNOHANG, usage);   /* CPU times, max RSS */
        /* end slide */
        if (done == child_pid || (done < 0 && errno != EINTR)) {
            free(procs.procs);
            return done == child_pid ? status : -1;
        }
        sample(child_pid, &procs, peaks);
        nanosleep(&pause, NULL);            /* SIGCHLD (the end) cuts it short */
    }
}

/* kit: measure.c#usage() */
static int usage(FILE *out, int status)
{
    fprintf(out, "usage: measure [--output FILE] [--interval S] [--] COMMAND [ARG...]\n"
                 "Runs COMMAND and prints, to stderr or FILE, one line:\n"
                 "  measure: wall=S user=S sys=S peak_rss_kib=N peak_threads=N "
                 "peak_processes=N exit=N\n"
                 "peak_* are sums over the command's process tree, sampled every S\n"
                 "seconds (default 0.005); peak_rss_kib is at least wait4's ru_maxrss.\n"
                 "Exits with the command's status.\n");
    return status;
}
/* end kit */

__attribute__((format(printf, 1, 2)))
/* kit: measure.c#usage_error() */
static int usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("measure: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'measure --help'.\n", stderr);
    return 2;
}
/* end kit */

/* -1 to go on (the command at argv[optind]), else the exit code (0 after
 * --help, 2 after a usage error). The leading '+' stops at the command,
 * so its own options stay its own. */
/* kit: measure.c#parse_options() */
static int parse_options(int argc, char **argv, const char **output, double *interval)
{
    static const struct option longs[] = {
        { "output", required_argument, NULL, 'o' },
        { "interval", required_argument, NULL, 'i' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    char *end;
    int c;

    opterr = 0;   /* the messages are ours */
    while ((c = getopt_long(argc, argv, "+:h", longs, NULL)) != -1) {
        switch (c) {
        case 'h':
            return usage(stdout, 0);
        case 'o':
            *output = optarg;
            break;
        case 'i':
            *interval = strtod(optarg, &end);
            if (*optarg == '\0' || *end != '\0' || !(*interval >= 0.001 && *interval <= 1))
                return usage_error("--interval must be seconds in [0.001, 1], not '%s'", optarg);
            break;
        case ':':
            return usage_error("option '%s' needs a value", argv[optind - 1]);
        default:   /* '?': -x (in optopt) or --name (the argument read last) */
            return optopt ? usage_error("unknown option '-%c'", optopt)
                          : usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    return optind < argc ? -1 : usage_error("no command given after --");
}
/* end kit */

/* kit: measure.c#main() */
int main(int argc, char **argv)
{
    const char *output = NULL;
    double interval = 0.005;
    int rc = parse_options(argc, argv, &output, &interval);
    if (rc >= 0)
        return rc;
    struct sigaction sa = { .sa_handler = forward_signal }, child = { .sa_handler = on_child };
    sigemptyset(&sa.sa_mask);
    sigemptyset(&child.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0
        || sigaction(SIGCHLD, &child, NULL) < 0) {
        fprintf(stderr, "measure: sigaction: %s\n", strerror(errno));
        return 1;
    }

    FILE *out = stderr;
    if (output != NULL && (out = fopen(output, "w")) == NULL) {
        fprintf(stderr, "measure: %s: %s\n", output, strerror(errno));
        return 2;
    }
    struct rusage usage = { 0 };
    struct peaks peaks = { 0 };
    double start = timeline_now();
    int status = run(argv + optind, interval, &usage, &peaks);
    double wall = timeline_now() - start;
    if (status < 0) {
        fprintf(stderr, "measure: %s: %s\n", argv[optind], strerror(errno));
        if (out != stderr)
            fclose(out);
        return 1;
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    long rss = peaks.rss_kib > usage.ru_maxrss ? peaks.rss_kib : usage.ru_maxrss;
    fprintf(out, "measure: wall=%.3f user=%.3f sys=%.3f peak_rss_kib=%ld peak_threads=%ld "
            "peak_processes=%ld exit=%d\n", wall,
            usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6,
            usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6,
            rss, peaks.threads, peaks.processes, code);
    if (out != stderr && fclose(out) == EOF)
        fprintf(stderr, "measure: %s: %s\n", output, strerror(errno));
    return code;
}
/* end kit */
