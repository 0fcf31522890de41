/* eintr-select: a select() for LD_PRELOAD whose first call is interrupted,
 * as if a signal had come: it returns -1 with EINTR at once, the sets left
 * as they were given (select(2): on error "the file descriptor sets are
 * unmodified"). The other calls are the real select. For chapter 06's test
 * that EINTR is no event: a program that read those sets would see every
 * fd it asked about as ready.
 */
#include <errno.h>
#include <stddef.h>
#include <sys/select.h>

int select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
    static int calls;
    struct timespec ts = { 0, 0 };
    if (calls++ == 0) {
        errno = EINTR;
        return -1;
    }
    if (tv != NULL)
        ts = (struct timespec){ tv->tv_sec, tv->tv_usec * 1000 };
    return pselect(n, r, w, e, tv != NULL ? &ts : NULL, NULL);
}
