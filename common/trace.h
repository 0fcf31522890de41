/* trace: what --trace prints, one line per event of a fetcher's loop, on
 * stderr, each after the seconds since the run started:
 *
 *     0.000 wait   3 fds, timeout 4.999 s
 *     0.126 wake   1 ready
 *     0.126 fd 5   read 2048 bytes
 *
 * Off until trace_start: until then trace and trace_fd do nothing, so the
 * calls stay in the code at the cost of a test. Left out: levels, other
 * files than stderr, threads (the fetchers that trace run on one).
 */
#ifndef WAITLESS_TRACE_H
#define WAITLESS_TRACE_H

/* From now on, trace lines print, timed from t0 (a timeline_now() time). */
void trace_start(double t0);

/* One line: the event, as printf formats it ("wait %3d fds", ...). */
void trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The loop's two lines: "wait   3 fds, timeout 4.999 s" (a timeout below
 * 0 waits for ever: "no timeout"), and "wake   1 ready". */
void trace_wait(int n_fds, double timeout);
void trace_wake(int n_ready);

/* One line about a connection: "fd 5   " then the step. An fd below 0
 * (no socket yet, or not any more) prints nothing. */
void trace_fd(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
