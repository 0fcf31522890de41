/* tq: a tiny ThreadQueue, after Kevin McConnell's lightning talk. tq_run
 * starts a named task in a thread of its own and returns at once; tq_get
 * waits only while that task is still running, then hands back what it
 * returned. "Do all your waiting at once": start every call, then get them.
 * Left out: calling one queue from several threads (the thread that made
 * it owns it), timeouts and cancelling (exercises), a limit on the number
 * of threads (chapter 03's pool).
 */
#ifndef WAITLESS_TQ_H
#define WAITLESS_TQ_H

typedef void *tq_task_fn(void *arg);

struct tq;

/* An empty queue; NULL with errno (ENOMEM) on failure. */
struct tq *tq_new(void);

/* Runs fn(arg) in a new thread, under `name` (copied). Returns at once:
 * 0, or -1 with errno: EEXIST (a task has that name already), EAGAIN (no
 * thread could be created), ENOMEM. */
int tq_run(struct tq *q, const char *name, tq_task_fn *fn, void *arg);

/* Waits until the task `name` has returned (not at all if it has) and
 * stores what fn returned in *result. Getting a name twice gives the same
 * result. 0, or -1 with errno ENOENT when no task has that name. */
int tq_get(struct tq *q, const char *name, void **result);

/* Waits for the tasks nobody got, then frees the queue. It cannot free
 * their results: only the caller knows what they are. */
void tq_free(struct tq *q);

#endif
