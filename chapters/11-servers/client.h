/* client: one HTTP GET on a reactor, without blocking: connect, send, read,
 * each step a callback. The async and offload servers call their backends
 * with it, and hammer sends its load with it.
 * Left out: retries, keep-alive, redirects; DNS still blocks (getaddrinfo).
 */
#ifndef WAITLESS_CLIENT_H
#define WAITLESS_CLIENT_H

#include "reactor.h"
#include "report.h"

struct client_call;

/* Called once the call has finished, well or badly (r says which). */
typedef void client_done_fn(struct fetch_result *r, void *arg);

/* Starts fetching r->url into r, giving up after `timeout` seconds.
 * done(r, arg) is always called later from the reactor, never from inside
 * client_get, even when the URL is bad. Returns a handle for client_cancel,
 * or NULL (errno set, done never called) when out of memory. */
struct client_call *client_get(struct reactor *rx, struct fetch_result *r, double timeout,
                               client_done_fn *done, void *arg);

/* Stops a call that has not finished: closes its socket, frees it, and
 * does not call done. The handle is invalid once done has been called. */
void client_cancel(struct client_call *call);

#endif
