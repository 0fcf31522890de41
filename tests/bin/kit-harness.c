/* kit-harness.c: linked into every exercise binary by tests/bin/run-exercises,
 * never into a chapter's program. Before main it makes stdout line-buffered
 * (so a program the checker cuts off has shown every line it printed, even
 * one that never flushes) and makes a crash say its signal on stderr.
 * Left out: everything else; a program's own handlers replace these. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L   /* sigaction, whatever the flags */
#endif
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

__attribute__((constructor)) static void kit_harness(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = say_crash;
    sa.sa_flags = (int)SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof crashes / sizeof crashes[0]; i++)
        sigaction(crashes[i].sig, &sa, NULL);
    setvbuf(stdout, NULL, _IOLBF, 0);
}
