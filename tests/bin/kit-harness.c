/* kit-harness.c: linked into every exercise binary by tests/bin/run-exercises,
 * never into a chapter's program. Before main it makes stdout line-buffered
 * (a program the checker cuts off has shown every line it printed), notes
 * the fds already open (the shell's, bats'), and at exit names every other
 * fd still open: in $KIT_REPORT_DIR/fds.PID for the checker, else on stderr.
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

enum { KIT_FDS = 1024 };
static unsigned char open_at_start[KIT_FDS];
static pid_t kit_pid;

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
    char lines[4096] = "";
    size_t used = 0;
    int more = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        int fd = atoi(e->d_name);
        if (e->d_name[0] == '.' || fd <= 2 || fd == dirfd(d) ||
            (fd < KIT_FDS && open_at_start[fd]))
            continue;
        char what[400];
        if (!describe(fd, what, sizeof what) || more++ >= 5)
            continue;
        int n = snprintf(lines + used, sizeof lines - used, "%s\n", what);
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
