/* Exercise 3 (chapter 08): the deferred fetcher with --max N: at most N
 * fetches at once. For now --max is read and ignored: every fetch starts
 * at once. See 3-limit.md.
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
    int max, next;          /* TODO: use them */
};

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
    if (l->pages[i] == NULL || deferred_add_callbacks(l->pages[i], store_page, store_error, r) < 0) {
        perror("deferreds: out of memory");
        exit(1);
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
    struct limiter l = { reactor_new(), &job, calloc((size_t)job.n, sizeof *l.pages), max, 0 };
    if (l.reactor == NULL || l.pages == NULL) {
        perror("deferreds: out of memory");
        exit(1);
    }
    for (int i = 0; i < job.n; i++)
        start_fetch(&l, i);
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
