/* Solution 3 (chapter 08): the deferred fetcher with --max N: the first N
 * fetches start at once, and each one that ends starts the next.
 * Left out: everything chapter 08's fetch.c leaves out.
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

struct limiter {
    struct reactor *reactor;
    struct fetch_job *job;
    struct deferred **pages;
    int max, next;          /* next: the first URL not started */
    int running;            /* started, not yet finished */
};

static void start_more(struct limiter *l);

/* The stage after store_page/store_error: one less running, maybe one more. */
static struct outcome fetch_ended(void *value, void *limiter)
{
    struct limiter *l = limiter;
    (void)value;            /* NULL: the store stages took the page or error */
    l->running--;
    start_more(l);
    return deferred_ok(NULL);
}

static struct outcome store_page(void *page, void *result)
{
    struct page *p = page;
    struct fetch_result *r = result;
    r->end = timeline_now();
    r->status = p->status;
    r->body = p->body;
    r->bytes = p->len;
    p->body = NULL;
    page_free(p);
    return deferred_ok(NULL);
}

static struct outcome store_error(void *error, void *result)
{
    struct fetch_result *r = result;
    r->end = timeline_now();
    report_fail(r, "%s", error ? (char *)error : "out of memory");
    free(error);
    return deferred_ok(NULL);
}

/* Starts fetch number i. */
static void start_fetch(struct limiter *l, int i)
{
    struct fetch_result *r = &l->job->results[i];
    r->start = timeline_now();
    l->pages[i] = fetch_page(l->reactor, r->url, l->job->timeout);
    if (l->pages[i] == NULL || deferred_add_callbacks(l->pages[i], store_page, store_error, r) < 0
        || deferred_add_callbacks(l->pages[i], fetch_ended, NULL, l) < 0) {
        perror("deferreds: out of memory");
        exit(1);
    }
}

/* Starts fetches while fewer than max run. `running` is counted before
 * start_fetch, because a fetch that fails at once ends inside it. */
static void start_more(struct limiter *l)
{
    while (l->running < l->max && l->next < l->job->n) {
        l->running++;
        start_fetch(l, l->next++);
    }
}

int main(int argc, char **argv)
{
    struct fetch_job job;
    int max = 4;
    struct fetchcli_option options[] = {
        { "--max", "N", "at most N fetches at once (default 4)", &max, 1, 1000, NULL },
    };
    int rc = fetchcli_parse(&job, argc, argv, "deferreds",
                            "Fetch the URLs as deferreds, at most N at once.", options, 1);
    if (rc != FETCHCLI_RUN)
        return rc;
    struct limiter l = { reactor_new(), &job, calloc((size_t)job.n, sizeof *l.pages), max, 0, 0 };
    if (l.reactor == NULL || l.pages == NULL) {
        perror("deferreds: out of memory");
        exit(1);
    }
    start_more(&l);
    if (reactor_run(l.reactor) < 0) {
        char why[FETCH_ERR_LEN];       /* waiting failed: a bug, not the network */
        snprintf(why, sizeof why, "reactor_run: %s", strerror(errno));
        page_fail_all(l.reactor, why); /* their errbacks record it */
    }
    for (int i = 0; i < job.n; i++)
        deferred_free(l.pages[i]);
    free(l.pages);
    reactor_free(l.reactor);
    return fetchcli_finish(&job);
}
