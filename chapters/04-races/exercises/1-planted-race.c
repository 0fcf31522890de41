/* Exercise 04.1 (exercises/1-planted-race.md): four threads count page
 * hits per site, as a crawler's statistics would: hits[site] for each of 8
 * sites, a grand total, and the busiest site so far, under a mutex.
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

/* TODO: it takes a mutex, and still gets the total wrong: find the races
 * (plural), fix them, and prove it with ThreadSanitizer. */
static void count_hit(int site)
{
    pthread_mutex_lock(&stats_lock);
    hits[site]++;
    pthread_mutex_unlock(&stats_lock);
    total++;
    if (hits[site] > hits[busiest])
        busiest = site;
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
