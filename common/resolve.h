/* resolve: name lookups that do not stop the loop. getaddrinfo blocks for
 * as long as DNS takes, and there is no non-blocking way to call it, so a
 * loop must not: resolve_start hands the lookup to a small pool of helper
 * threads (as libuv does) and the answer comes back to the loop through a
 * pipe: the reactor watches it, or a loop of its own (chapter 14's
 * io_uring) watches resolve_fd and calls resolve_answers. A numeric host (127.0.0.1, ::1) needs no lookup and no
 * thread: resolve_numeric answers it at once.
 * A cancelled lookup is not waited for: the loop, and the program, go on
 * while its thread is still inside getaddrinfo (which cannot be stopped,
 * as libuv's uv_cancel cannot either); its answer is thrown away.
 * Left out: more than one loop at a time (the pool serves the loop of the
 * lookups in flight).
 */
#ifndef WAITLESS_RESOLVE_H
#define WAITLESS_RESOLVE_H

#include <netdb.h>

#include "reactor.h"

#define RESOLVE_THREADS 4   /* lookups at once; the rest wait in a queue */

struct resolve;

/* On the loop: `list` (the caller's, for freeaddrinfo) holds every address
 * of the name in the resolver's order, or is NULL and `err` says why
 * ("resolve nosuch.invalid: Name or service not known"). r is the reactor
 * given to resolve_start (NULL for a loop of its own). */
typedef void resolve_fn(struct reactor *r, struct addrinfo *list, const char *err, void *arg);

/* Starts looking up host:port (TCP, IPv4 and IPv6). `done` runs later, on
 * the loop, never from inside this call. r == NULL: no reactor, the
 * caller's loop watches resolve_fd (below). Returns a handle for
 * resolve_cancel, valid until `done` runs; NULL with errno on failure
 * (EBUSY: another loop's lookups are in flight). */
struct resolve *resolve_start(struct reactor *r, const char *host, int port,
                              resolve_fn *done, void *arg);

/* For a loop of its own (resolve_start(NULL, ...)): while lookups are in
 * flight, the fd that turns readable when answers are in (a pipe);
 * -1 when none is. It may change between lookups: ask before each wait. */
int resolve_fd(void);

/* Call when resolve_fd is readable: calls `done` for each answer in,
 * and, once the last lookup in flight is answered, lets the threads go
 * and closes the fd. Does nothing when no answer is there yet. (The
 * reactor calls it itself for lookups started with a reactor.) */
void resolve_answers(void);

/* `done` will not run, and the loop no longer waits for this lookup: with
 * none left, resolve_fd is -1 and the reactor's watch on it has gone.
 * q == NULL: nothing happens. */
void resolve_cancel(struct resolve *q);

/* The address host is, when it is one ("127.0.0.1", "::1"): a list for
 * freeaddrinfo, made at once without DNS. NULL when host is a name. */
struct addrinfo *resolve_numeric(const char *host, int port);

#endif
