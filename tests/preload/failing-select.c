/* failing-select: a select() for LD_PRELOAD that fails with EIO after
 * $SELECT_OK good calls (default 0), so that reactor_run returns -1: the
 * one failure of a reactor program that nothing outside it can cause.
 * Built and used by with_failing_select in tests/helpers.bash.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/select.h>

int select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
    static int calls;
    const char *ok = getenv("SELECT_OK");
    struct timespec ts = { 0, 0 };
    if (calls++ >= (ok ? atoi(ok) : 0)) {
        errno = EIO;
        return -1;
    }
    if (tv != NULL)
        ts = (struct timespec){ tv->tv_sec, tv->tv_usec * 1000 };
    return pselect(n, r, w, e, tv != NULL ? &ts : NULL, NULL);
}
