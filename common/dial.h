/* dial: connect to host:port on the reactor the way real clients must.
 * The name is resolved off the loop (resolve.h); its addresses, IPv6 and
 * IPv4 taking turns, are raced as RFC 8305 ("Happy Eyeballs") says: the
 * first attempt starts at once, the next DIAL_DELAY later or as soon as
 * one fails, and the first to connect wins while the others are closed.
 * So a dead first address (a black hole, which never answers) costs
 * 0.25 s instead of the whole timeout, and a refused one costs nothing.
 * Left out: a deadline (the caller's timer cancels the dial), the RFC's
 * resolution delay (waiting 50 ms for AAAA after A), sorting by history.
 */
#ifndef WAITLESS_DIAL_H
#define WAITLESS_DIAL_H

#include <stddef.h>

#include "reactor.h"

#define DIAL_DELAY 0.25   /* seconds between attempts: RFC 8305's default */

struct dial;

/* On the loop: fd is connected (non-blocking, the caller's to unwatch and
 * close), or -1 with errno set and `err` naming every address that failed
 * ("connect [::1]:8000: Connection refused; connect ..."). The fd is still
 * watched for REACTOR_WRITE: the caller's reactor_watch takes the watch
 * over without a system call; a watch the caller leaves alone is dropped
 * at its next event. */
typedef void dial_fn(struct reactor *r, int fd, const char *err, void *arg);

/* Starts connecting. `done` runs later, never from inside this call.
 * Returns the dial, valid until `done` runs; or NULL with errno and err
 * when it failed at once (an address refused on the spot, ERANGE: the
 * reactor is full, ENOMEM). */
struct dial *dial_start(struct reactor *r, const char *host, int port,
                        dial_fn *done, void *arg, char *err, size_t errlen);

/* Stops the dial *d if it has not called back: closes its attempts,
 * cancels its lookup; `done` will not run. Sets *d to NULL, so the handle
 * is safe to cancel again; a NULL one is fine. */
void dial_cancel(struct dial **d);

#endif
