/* trace: --trace's timestamped lines on stderr (see trace.h). Each line is
 * formatted whole, then written with one call, so that it stays one line. */
#include <stdarg.h>
#include <stdio.h>

#include "timeline.h"
#include "trace.h"

static int tracing;
static double trace_t0;

void trace_start(double t0)
{
    tracing = 1;
    trace_t0 = t0;
}

static void trace_line(const char *prefix, const char *fmt, va_list ap)
{
    char line[256];
    int len = snprintf(line, sizeof line, "%7.3f %s", timeline_now() - trace_t0, prefix);
    if (len >= 0 && (size_t)len < sizeof line)
        vsnprintf(line + len, sizeof line - (size_t)len, fmt, ap);
    fprintf(stderr, "%s\n", line);
}

void trace(const char *fmt, ...)
{
    va_list ap;
    if (!tracing)
        return;
    va_start(ap, fmt);
    trace_line("", fmt, ap);
    va_end(ap);
}

void trace_fd(int fd, const char *fmt, ...)
{
    char prefix[32];
    va_list ap;
    if (!tracing || fd < 0)
        return;
    snprintf(prefix, sizeof prefix, "fd %-3d ", fd);
    va_start(ap, fmt);
    trace_line(prefix, fmt, ap);
    va_end(ap);
}

void trace_wait(int n_fds, double timeout)
{
    if (timeout < 0)
        trace("wait %3d fds, no timeout", n_fds);
    else
        trace("wait %3d fds, timeout %.3f s", n_fds, timeout);
}

void trace_wake(int n_ready)
{
    trace("wake %3d ready", n_ready);
}
