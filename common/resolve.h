/* resolve: name lookups that do not stop the loop. getaddrinfo blocks for
 * as long as DNS takes, and there is no non-blocking way to call it, so a
 * reactor must not: resolve_start hands the lookup to a small pool of
 * helper threads (as libuv does) and the answer comes back to the loop
 * through a pipe the reactor watches. A numeric host (127.0.0.1, ::1)
 * needs no lookup and no thread: resolve_numeric answers it at once.
 * Left out: more than one reactor at a time (the pool serves the reactor
 * of the lookups in flight), cancelling a lookup a thread has begun (its
 * answer is thrown away when it comes, as libuv's uv_cancel cannot either;
 * a program that exits first waits for it, at exit).
 */
#ifndef WAITLESS_RESOLVE_H
#define WAITLESS_RESOLVE_H

#include <netdb.h>

#include "reactor.h"

#define RESOLVE_THREADS 4   /* lookups at once; the rest wait in a queue */

struct resolve;

/* On the loop: `list` (the caller's, for freeaddrinfo) holds every address
 * of the name in the resolver's order, or is NULL and `err` says why
 * ("resolve nosuch.invalid: Name or service not known"). */
typedef void resolve_fn(struct reactor *r, struct addrinfo *list, const char *err, void *arg);

/* Starts looking up host:port (TCP, IPv4 and IPv6). `done` runs later, on
 * the loop, never from inside this call. Returns a handle for
 * resolve_cancel, valid until `done` runs; NULL with errno on failure
 * (EBUSY: another reactor's lookups are in flight). */
struct resolve *resolve_start(struct reactor *r, const char *host, int port,
                              resolve_fn *done, void *arg);

/* `done` will not run. */
void resolve_cancel(struct resolve *q);

/* The address host is, when it is one ("127.0.0.1", "::1"): a list for
 * freeaddrinfo, made at once without DNS. NULL when host is a name. */
struct addrinfo *resolve_numeric(const char *host, int port);

#endif
