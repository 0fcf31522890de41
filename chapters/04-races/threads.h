/* threads: start N threads on one function and wait for them all, for
 * counter and table (the races need a crowd; how to start one is not the
 * lesson). Left out: a thread pool (chapter 03).
 */
#ifndef RACES_THREADS_H
#define RACES_THREADS_H

#define THREADS_MAX 64

/* Starts n threads (at most THREADS_MAX) on fn, thread i with the arg
 * (void *)(long)i, and joins every one that started. 0, or -1 when one
 * could not be started (said on stderr, after `prog: `). */
int threads_run(const char *prog, int n, void *(*fn)(void *));

#endif
