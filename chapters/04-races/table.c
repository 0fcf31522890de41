/* table: threads store their results into one shared table, the C version
 * of the talk's `homepages[website] = response.text`. Storing a row is
 * three steps: find the next free row, fill it in, count it. Without a
 * lock, two threads can find the same free row: one result overwrites the
 * other (lost), a row can end up half one store and half another (torn),
 * and the count is wrong. --fix lock makes the three steps one.
 * Left out: the network (each "result" is made up, so the threads store
 * as fast as they can), growing the table (a racy resize could free rows
 * under another thread's feet: a crash, not just a wrong answer).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "args.h"
#include "threads.h"
#include "timeline.h"

#define URL_LEN 48   /* every URL below is shorter: a row's last byte stays 0 */

enum fix { FIX_NONE, FIX_LOCK };
static const char *const fix_names[] = { "none", "lock", NULL };
static int n_threads = 4, stores = 100000, fix = FIX_NONE;

struct row {
    char url[URL_LEN];
    long bytes;        /* the result: made up from the URL, so it can be checked */
};

struct results_table {
    struct row *rows;
    int capacity;
    int count;              /* rows in use */
    pthread_mutex_t lock;   /* --fix lock: held for a whole store */
};

static struct results_table table = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* The URL and the result that thread t stores the k-th time. */
static void make_url(char *url, int t, int k)
{
    snprintf(url, URL_LEN, "http://site-%d.example/page-%d", t, k);
}

static long result_for(int t, int k)
{
    return (long)t * 1000003 + k;
}

static void table_store(struct results_table *t, const char *url, long bytes)
{
    int slot = t->count;              /* 1. find the next free row */
    if (slot >= t->capacity)          /*    (never true, but do not trust a race) */
        return;
    struct row *row = &t->rows[slot];
    snprintf(row->url, sizeof row->url, "%s", url);   /* 2. fill it in */
    row->bytes = bytes;
    t->count = slot + 1;              /* 3. count it */
}

static void *store_results(void *arg)
{
    int t = (int)(long)arg;
    char url[URL_LEN];

    for (int k = 0; k < stores; k++) {
        make_url(url, t, k);
        if (fix == FIX_LOCK)
            pthread_mutex_lock(&table.lock);
        table_store(&table, url, result_for(t, k));   /* homepages[url] = result */
        if (fix == FIX_LOCK)
            pthread_mutex_unlock(&table.lock);
    }
    return NULL;
}

/* Which store a row holds: 0 with *index set, or -1 for a torn row (its
 * URL garbled, or its result from another store than its URL). */
static int row_index(const struct row *row, int *index)
{
    int t, k, end = 0;

    if (sscanf(row->url, "http://site-%d.example/page-%d%n", &t, &k, &end) != 2
        || row->url[end] != '\0' || t < 0 || t >= n_threads || k < 0 || k >= stores
        || row->bytes != result_for(t, k))
        return -1;
    *index = t * stores + k;
    return 0;
}

/* Looks for every stored result in the counted rows. 0 when all are there
 * exactly once, -1 when some were lost or torn. */
static int check_table(const struct results_table *t, long expected)
{
    char *found = calloc((size_t)expected, 1);
    long present = 0, torn = 0;
    int count = t->count < t->capacity ? t->count : t->capacity;

    if (found == NULL) {
        fprintf(stderr, "table: out of memory\n");
        return -1;
    }
    for (int i = 0; i < count; i++) {
        int index;
        if (row_index(&t->rows[i], &index) != 0 || found[index])
            torn++;   /* half one store, half another (or the same one twice) */
        else
            found[index] = 1, present++;
    }
    free(found);
    printf("stored %ld results; the table counts %d rows\n", expected, t->count);
    if (present == expected && torn == 0) {
        printf("every result is in the table, once, whole\n");
        return 0;
    }
    printf("lost: %ld results are not in the table; torn: %ld rows mix two stores\n",
           expected - present, torn);
    return -1;
}

int main(int argc, char **argv)
{
    const struct args_option options[] = {
        { "--threads", "threads to start (default 4)", &n_threads, 1, THREADS_MAX, NULL, NULL },
        { "--stores", "results each thread stores (default 100000)", &stores,
          1, 1000000, NULL, NULL },
        { "--fix", "store with no lock, or holding the table's lock",
          NULL, 0, 0, &fix, fix_names },
    };
    int rc = args_parse(argc, argv, "N threads store M results each into one shared table.",
                        options, 3);
    if (rc != ARGS_RUN)
        return rc;

    long expected = (long)n_threads * stores;
    table.capacity = (int)expected;
    table.rows = calloc((size_t)expected, sizeof *table.rows);
    if (table.rows == NULL) {
        fprintf(stderr, "table: out of memory for %ld rows\n", expected);
        return 1;
    }
    printf("table: %d threads x %d stores, --fix %s\n", n_threads, stores, fix_names[fix]);
    double t0 = timeline_now();
    rc = threads_run("table", n_threads, store_results);
    double seconds = timeline_now() - t0;
    if (rc == 0)
        rc = check_table(&table, expected);
    printf("in %.3f s\n", seconds);
    free(table.rows);
    return rc == 0 ? 0 : 1;
}
