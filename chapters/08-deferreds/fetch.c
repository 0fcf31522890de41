/* Chapter 08: the fetcher with deferreds. fetch_page() returns at once
 * with a deferred: a promise of the page. We add what to do with the page
 * (store it) and what to do with a failure (record it), gather all the
 * deferreds into one, and run the reactor until that one fires.
 * The connection itself (connect, send, read as reactor callbacks, a
 * timer for the timeout) is in page.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deferred.h"
#include "fetchcli.h"
#include "page.h"
#include "reactor.h"
#include "timeline.h"

/* The callback: the page becomes this URL's result. */
static struct outcome store_page(void *page, void *result)
{
    struct page *p = page;
    struct fetch_result *r = result;
    r->end = timeline_now();
    r->status = p->status;
    r->body = p->body;   /* the result owns the body now */
    r->bytes = p->len;
    p->body = NULL;
    page_free(p);
    return deferred_ok(NULL);
}

/* The errback: the failure becomes this URL's error, and is handled. */
static struct outcome store_error(void *error, void *result)
{
    struct fetch_result *r = result;
    r->end = timeline_now();
    report_fail(r, "%s", error ? (char *)error : "out of memory");
    free(error);
    return deferred_ok(NULL);   /* recovered: the chain ends well */
}

static struct outcome all_done(void *outcomes, void *reactor)
{
    free(outcomes);   /* each says ok: store_page and store_error handled all */
    reactor_stop(reactor);
    return deferred_ok(NULL);
}

/* Starts every fetch as a deferred, gathers them, and runs the loop until
 * they have all fired. Returns the gathered deferred. */
static struct deferred *fetch_pages(struct reactor *reactor, struct fetch_job *job,
                                    struct deferred **pages)
{
    for (int i = 0; i < job->n; i++) {
        struct fetch_result *r = &job->results[i];
        r->start = timeline_now();
        pages[i] = fetch_page(reactor, r->url, job->timeout);   /* returns at once */
        if (pages[i] == NULL || deferred_add_callbacks(pages[i], store_page, store_error, r) < 0) {
            perror("deferreds: out of memory");
            exit(1);
        }
    }
    struct deferred *all = deferred_gather(pages, job->n);
    if (all == NULL || deferred_add_callbacks(all, all_done, NULL, reactor) < 0) {
        perror("deferreds: out of memory");
        exit(1);
    }
    if (!deferred_has_fired(all) && reactor_run(reactor) < 0) {
        char why[FETCH_ERR_LEN];       /* waiting failed: a bug, not the network */
        snprintf(why, sizeof why, "reactor_run: %s", strerror(errno));
        page_fail_all(reactor, why);   /* their errbacks record it; `all` fires */
    }
    return all;
}

int main(int argc, char **argv)
{
    struct fetch_job job;
    struct fetchcli_option options[] = { FETCHCLI_BACKEND };
    int rc = fetchcli_parse(&job, argc, argv, "deferreds",
                            "Fetch the URLs at once, each as a deferred (chapter 08).", options, 1);
    if (rc != FETCHCLI_RUN)
        return rc;
    struct reactor *reactor = reactor_new_backend(job.backend);
    struct deferred **pages = calloc((size_t)job.n, sizeof *pages);
    if (reactor == NULL || pages == NULL) {
        perror("deferreds: out of memory");
        exit(1);
    }
    struct deferred *all = fetch_pages(reactor, &job, pages);
    for (int i = 0; i < job.n; i++)
        deferred_free(pages[i]);
    deferred_free(all);
    free(pages);
    reactor_free(reactor);
    return fetchcli_finish(&job);
}
