/* page: fetch one URL on the reactor and get a deferred for it. The
 * connection is a small state machine (connect, send, read) driven by
 * reactor callbacks, with the timeout as a reactor timer: chapter 07's
 * fetcher, packaged behind a deferred.
 * Left out: redirects, retries, keep-alive, cancelling one fetch.
 */
#ifndef WAITLESS_PAGE_H
#define WAITLESS_PAGE_H

#include <stddef.h>

#include "deferred.h"
#include "reactor.h"

/* What the deferred's callback gets: malloc'd, with a malloc'd body. */
struct page {
    int status;
    char *body;
    size_t len;
};

void page_free(struct page *p);

/* Starts fetching url and returns at once with a deferred that fires,
 * from inside reactor_run, with a struct page * (callback) or with a
 * malloc'd error message, char * (errback), after at most `timeout`
 * seconds. A URL that cannot even be started (bad URL, no such host) fires
 * the errback before fetch_page returns. The caller owns the deferred and
 * frees it after it fired; the values follow deferred.h's rules.
 * NULL when out of memory. */
struct deferred *fetch_page(struct reactor *r, const char *url, double timeout);

/* Ends every fetch still going on r, for when reactor_run has failed and
 * nothing would end them: each lets go of its connection and fires its
 * errback with a malloc'd copy of `why`. */
void page_fail_all(struct reactor *r, const char *why);

#endif
