/* threads: start N threads, join them all (see threads.h).
 * Left out: thread attributes; every thread is joinable, default stack.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "threads.h"

int threads_run(const char *prog, int n, void *(*fn)(void *))
{
    pthread_t threads[THREADS_MAX];
    int started = 0, err = 0;

    while (started < n && started < THREADS_MAX && err == 0) {
        err = pthread_create(&threads[started], NULL, fn, (void *)(long)started);
        if (err == 0)
            started++;
    }
    if (err != 0)
        fprintf(stderr, "%s: pthread_create: %s\n", prog, strerror(err));
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    return err == 0 ? 0 : -1;
}
