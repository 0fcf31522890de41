/* 1-planted-race, solved: every access to the statistics, reads included,
 * happens with stats_lock held. The starter updated `total` after
 * unlocking (lost updates) and compared hits[] and `busiest` after
 * unlocking too (check-then-act on data another thread is changing).
 * Exit 0 when the counts are exact, 1 when they are not.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define THREADS 4
#define PAGES 2000000   /* per thread */
#define SITES 8

static long hits[SITES];
static long total;
static int busiest;   /* the site with the most hits so far */
static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;

static void count_hit(int site)
{
    pthread_mutex_lock(&stats_lock);   /* one critical section for the whole update */
    hits[site]++;
    total++;
    if (hits[site] > hits[busiest])
        busiest = site;
    pthread_mutex_unlock(&stats_lock);
}

static void *crawl(void *arg)
{
    int t = (int)(long)arg;

    for (int i = 0; i < PAGES; i++)
        count_hit((t + i) % SITES);
    return NULL;
}

int main(void)
{
    pthread_t threads[THREADS];
    long expected = (long)THREADS * PAGES, sum = 0;

    for (long t = 0; t < THREADS; t++) {
        int err = pthread_create(&threads[t], NULL, crawl, (void *)t);
        if (err != 0) {
            fprintf(stderr, "planted-race: pthread_create: %s\n", strerror(err));
            return 1;
        }
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(threads[t], NULL);
    for (int s = 0; s < SITES; s++)
        sum += hits[s];
    printf("sum of hits %ld, total %ld, expected %ld (busiest: site %d)\n",
           sum, total, expected, busiest);
    return sum == expected && total == expected ? 0 : 1;
}
