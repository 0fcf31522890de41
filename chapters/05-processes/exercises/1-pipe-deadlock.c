/* Exercise 05.1 (exercises/1-pipe-deadlock.md): the parent forks a child
 * that writes BYTES bytes into a pipe, reads them and reaps the child.
 * Usage: 1-pipe-deadlock [BYTES]   (default 10)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net.h"

#define MAX_BYTES (64L * 1024 * 1024)

/* The child: writes `bytes` bytes of 'x' to fd, then exits. */
static void write_bytes(int fd, long bytes)
{
    char chunk[4096];

    memset(chunk, 'x', sizeof chunk);
    for (long sent = 0; sent < bytes; sent += (long)sizeof chunk) {
        size_t n = bytes - sent < (long)sizeof chunk ? (size_t)(bytes - sent) : sizeof chunk;
        if (net_write_all(fd, chunk, n, 0) != 0)
            _exit(1);
    }
    _exit(0);
}

/* Reads fd to its end; the number of bytes, or -1. */
static long read_all(int fd)
{
    char buf[4096];
    long total = 0;

    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? -1 : total;
        total += n;
    }
}

int main(int argc, char **argv)
{
    char *end;
    long bytes = argc > 1 ? strtol(argv[1], &end, 10) : 10;
    int fds[2], status;

    if (argc > 2 || (argc == 2 && (*end != '\0' || bytes < 0 || bytes > MAX_BYTES))) {
        fprintf(stderr, "usage: %s [BYTES]  (0 to %ld)\n", argv[0], MAX_BYTES);
        return 2;
    }
    if (pipe(fds) != 0) {
        fprintf(stderr, "pipe: %s\n", strerror(errno));
        return 1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "fork: %s\n", strerror(errno));
        return 1;
    }
    if (pid == 0) {
        close(fds[0]);
        write_bytes(fds[1], bytes);
    }
    close(fds[1]);
    /* TODO: fine for 10 bytes, hangs for ever for 1 MiB: why? */
    if (waitpid(pid, &status, 0) < 0) {         /* wait for the child to finish... */
        fprintf(stderr, "waitpid: %s\n", strerror(errno));
        return 1;
    }
    long got = read_all(fds[0]);                 /* ...then read what it wrote */
    close(fds[0]);
    printf("read %ld bytes; child %ld exited with status %d\n", got, (long)pid,
           WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return got == bytes && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
