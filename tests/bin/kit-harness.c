/* kit-harness.c: linked into every exercise binary by tests/bin/run-exercises,
 * never into a chapter's program. Before main it makes stdout line-buffered
 * (a program the checker cuts off has shown every line it printed), notes
 * the fds already open (the shell's, bats'), and at exit names every other
 * fd still open: in $KIT_REPORT_DIR/fds.PID for the checker, else on stderr,
 * with the calls that opened it (run-exercises links with --wrap for socket,
 * accept, pipe, open, fopen and the like: each __wrap_ below notes its
 * caller's stack, a sanitizer's symbolizer names it at exit).
 * In a build without sanitizers it also makes a crash say its signal (the
 * sanitizers' own handlers say more: the line); in a sanitizer build it
 * sends UBSan's reports to $KIT_REPORT_DIR too (gcc's UBSan ignores its
 * log_path beside ASan). Left out: fds of a forked
 * child that exits without exec (it shares its parent's), a program killed
 * by a signal or ending with _exit. */
#define _GNU_SOURCE   /* RTLD_NOLOAD; sigaction, whatever the flags */
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define KIT_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define KIT_SANITIZED 1
#endif
#endif

enum { KIT_FDS = 1024, KIT_FRAMES = 10 };
static unsigned char open_at_start[KIT_FDS];
static pid_t kit_pid;

/* ---- where each fd was opened ------------------------------------- */
#ifdef __GLIBC__
#include <execinfo.h>
#define KIT_BACKTRACE(frames, n) backtrace(frames, n)
#else
#define KIT_BACKTRACE(frames, n) 0
#endif
static void *opened_at[KIT_FDS][KIT_FRAMES];
static int opened_depth[KIT_FDS];
static pthread_mutex_t opened_lock = PTHREAD_MUTEX_INITIALIZER;
/* The sanitizers' symbolizer (common_interface_defs.h), when linked in. */
void __sanitizer_symbolize_pc(void *pc, const char *fmt, char *out, size_t size)
    __attribute__((weak));

/* Notes the stack that opened fd; returns fd. */
static int noted(int fd)
{
    void *frames[KIT_FRAMES];
    if (fd < 0 || fd >= KIT_FDS)
        return fd;
    int depth = KIT_BACKTRACE(frames, KIT_FRAMES);
    pthread_mutex_lock(&opened_lock);
    memcpy(opened_at[fd], frames, sizeof frames);
    opened_depth[fd] = depth;
    pthread_mutex_unlock(&opened_lock);
    return fd;
}

int __real_socket(int, int, int);
int __real_socketpair(int, int, int, int[2]);
int __real_accept(int, struct sockaddr *, socklen_t *);
int __real_accept4(int, struct sockaddr *, socklen_t *, int);
int __real_pipe(int[2]);
int __real_pipe2(int[2], int);
int __real_open(const char *, int, ...);
int __real_openat(int, const char *, int, ...);
int __real_dup(int);
int __real_epoll_create1(int);
FILE *__real_fopen(const char *, const char *);
DIR *__real_opendir(const char *);
int __wrap_socket(int d, int t, int p) { return noted(__real_socket(d, t, p)); }
int __wrap_accept(int fd, struct sockaddr *a, socklen_t *n) { return noted(__real_accept(fd, a, n)); }
int __wrap_accept4(int fd, struct sockaddr *a, socklen_t *n, int fl) { return noted(__real_accept4(fd, a, n, fl)); }
int __wrap_dup(int fd) { return noted(__real_dup(fd)); }
int __wrap_epoll_create1(int fl) { return noted(__real_epoll_create1(fl)); }
int __wrap_socketpair(int d, int t, int p, int sv[2])
{
    int rc = __real_socketpair(d, t, p, sv);
    if (rc == 0)
        noted(sv[0]), noted(sv[1]);
    return rc;
}
int __wrap_pipe(int fds[2])
{
    int rc = __real_pipe(fds);
    if (rc == 0)
        noted(fds[0]), noted(fds[1]);
    return rc;
}
int __wrap_pipe2(int fds[2], int fl)
{
    int rc = __real_pipe2(fds, fl);
    if (rc == 0)
        noted(fds[0]), noted(fds[1]);
    return rc;
}
int __wrap_open(const char *path, int fl, ...)
{
    va_list ap;
    va_start(ap, fl);
    mode_t mode = (fl & O_CREAT) ? (mode_t)va_arg(ap, int) : 0;
    va_end(ap);
    return noted(__real_open(path, fl, mode));
}
int __wrap_openat(int dir, const char *path, int fl, ...)
{
    va_list ap;
    va_start(ap, fl);
    mode_t mode = (fl & O_CREAT) ? (mode_t)va_arg(ap, int) : 0;
    va_end(ap);
    return noted(__real_openat(dir, path, fl, mode));
}
FILE *__wrap_fopen(const char *path, const char *how)
{
    FILE *f = __real_fopen(path, how);
    if (f != NULL)
        noted(fileno(f));
    return f;
}
DIR *__wrap_opendir(const char *path)
{
    DIR *d = __real_opendir(path);
    if (d != NULL)
        noted(dirfd(d));
    return d;
}

/* Writes to out the frames that opened fd, one a line, the harness's own
 * left out; nothing without a sanitizer's symbolizer. */
static void where_opened(int fd, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    if (fd >= KIT_FDS || __sanitizer_symbolize_pc == NULL)
        return;
    void *frames[KIT_FRAMES];
    pthread_mutex_lock(&opened_lock);   /* not held while symbolizing: that opens pipes */
    int depth = opened_depth[fd];
    memcpy(frames, opened_at[fd], sizeof frames);
    pthread_mutex_unlock(&opened_lock);
    for (int i = 0, k = 0; i < depth && used < size; i++) {
        char frame[256];
        /* A return address: the call is the byte before it. */
        __sanitizer_symbolize_pc((char *)frames[i] - 1, "%F %L", frame, sizeof frame);
        if (strstr(frame, "kit-harness.c") != NULL || strstr(frame, "libsanitizer") != NULL ||
            strstr(frame, "__interceptor_") != NULL || strstr(frame, "__libc_start") != NULL ||
            strstr(frame, " _start ") != NULL || strstr(frame, "in backtrace ") != NULL)
            continue;   /* the wrapper's own frames, the sanitizer's, libc's start */
        int n = snprintf(out + used, size - used, "    opened by #%d %s\n", k++, frame);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

/* what FD is, from its /proc/self/fd link: "a socket", "a pipe", a path;
 * 0 for a sanitizer's own report file, which is no leak of the program's. */
static int describe(int fd, char *out, size_t size)
{
    char link[64], target[256];
    const char *dir = getenv("KIT_REPORT_DIR");
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, target, sizeof target - 1);
    target[n > 0 ? n : 0] = '\0';
    if (dir != NULL && *dir != '\0' && strncmp(target, dir, strlen(dir)) == 0)
        return 0;
    const char *kind = strncmp(target, "socket:", 7) == 0 ? "a socket"
                     : strncmp(target, "pipe:", 5) == 0 ? "a pipe"
                     : strncmp(target, "anon_inode:", 11) == 0 ? "an anonymous inode"
                     : "a file";
    snprintf(out, size, "fd %d is still open at exit: %s (%s)", fd, kind, target);
    return 1;
}

static void check_fds(void)
{
    if (getpid() != kit_pid)
        return;   /* a forked child: its fds are its parent's */
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL)
        return;
    char lines[16384] = "";
    size_t used = 0;
    int more = 0;
    struct dirent *e;
    struct rlimit lim;   /* valgrind keeps its own fds above the limit it shows */
    long above = getrlimit(RLIMIT_NOFILE, &lim) == 0 ? (long)lim.rlim_cur : -1;
    while ((e = readdir(d)) != NULL) {
        int fd = atoi(e->d_name);
        if (e->d_name[0] == '.' || fd <= 2 || fd == dirfd(d) ||
            (fd < KIT_FDS && open_at_start[fd]) || (above >= 0 && fd >= above))
            continue;
        char what[400], where[2048];
        if (!describe(fd, what, sizeof what) || more++ >= 5)
            continue;
        where_opened(fd, where, sizeof where);
        int n = snprintf(lines + used, sizeof lines - used, "%s\n%s", what, where);
        if (n > 0 && (size_t)n < sizeof lines - used)
            used += (size_t)n;
    }
    closedir(d);
    if (more > 5)
        snprintf(lines + used, sizeof lines - used, "and %d more\n", more - 5);
    if (more == 0)
        return;
    const char *dir = getenv("KIT_REPORT_DIR");
    FILE *f = NULL;
    if (dir != NULL) {
        char path[512];
        snprintf(path, sizeof path, "%s/fds.%ld", dir, (long)kit_pid);
        f = fopen(path, "w");
    }
    fputs(lines, f != NULL ? f : stderr);
    if (f != NULL)
        fclose(f);
}

#ifndef KIT_SANITIZED
static const struct { int sig; const char *says; } crashes[] = {
    { SIGSEGV, "crashed: SIGSEGV (segmentation fault: a bad pointer)\n" },
    { SIGBUS,  "crashed: SIGBUS (bus error: a bad pointer)\n" },
    { SIGFPE,  "crashed: SIGFPE (arithmetic error, e.g. a division by zero)\n" },
    { SIGILL,  "crashed: SIGILL (illegal instruction)\n" },
    { SIGABRT, "crashed: SIGABRT (abort: a failed assert, or a double free)\n" },
};

/* Async-signal-safe: write(2) only, then the default action (SA_RESETHAND). */
static void say_crash(int sig)
{
    for (size_t i = 0; i < sizeof crashes / sizeof crashes[0]; i++)
        if (crashes[i].sig == sig) {
            ssize_t n = write(STDERR_FILENO, crashes[i].says, strlen(crashes[i].says));
            (void)n;
        }
    raise(sig);
}

static void name_crashes(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = say_crash;
    sa.sa_flags = (int)SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof crashes / sizeof crashes[0]; i++)
        sigaction(crashes[i].sig, &sa, NULL);
}
#else
/* gcc links UBSan as a library of its own, which writes to stderr whatever
 * UBSAN_OPTIONS says: give it the report path through its interface. */
static void name_crashes(void)
{
    static char path[512];
    const char *dir = getenv("KIT_REPORT_DIR");
    void *ubsan = dlopen("libubsan.so.1", RTLD_NOW | RTLD_NOLOAD);
    void (*set_path)(const char *) = NULL;
    if (dir == NULL || ubsan == NULL)
        return;
    *(void **)&set_path = dlsym(ubsan, "__sanitizer_set_report_path");
    snprintf(path, sizeof path, "%s/ubsan", dir);
    if (set_path != NULL)
        set_path(path);
    dlclose(ubsan);
}
#endif

__attribute__((constructor)) static void kit_harness(void)
{
    for (int fd = 0; fd < KIT_FDS; fd++)
        open_at_start[fd] = fcntl(fd, F_GETFD) != -1;
    kit_pid = getpid();
    atexit(check_fds);
    name_crashes();
    setvbuf(stdout, NULL, _IOLBF, 0);
}
