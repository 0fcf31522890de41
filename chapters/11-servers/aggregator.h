/* aggregator: the one web application of chapter 11, shared by its five
 * servers. GET / calls four backends (slow pages of 1/8, 2/8, 3/8 and 4/8 s,
 * times --scale) and answers how long that took; a failed backend call
 * makes the answer a 502. The servers differ only in how they wait.
 * Also here: the command line, the listening socket, the stop pipe, and the
 * blocking loop that sync, prefork, threads and offload run.
 * Left out: keep-alive, HTTP/1.1, any path but /.
 */
#ifndef WAITLESS_AGGREGATOR_H
#define WAITLESS_AGGREGATOR_H

#include <stddef.h>

#include "report.h"
#include "url.h"

#define AGG_CALLS 4                    /* backend calls per request */
#define AGG_ANSWER_MAX 1024            /* the longest answer we send */
#define AGG_RUN (-1)                   /* agg_parse_options: go on */

/* Which of the optional flags a server takes. */
#define AGG_OPT_PROCESSES 1            /* --processes N */
#define AGG_OPT_THREADS   2            /* --threads N */

struct agg_options {
    const char *host;                  /* --host, 127.0.0.1 unless told */
    int port;                          /* --port, 0 = any free port */
    const char *backend_url;           /* --backend-url, the slow server */
    double scale;                      /* --scale, multiplies every delay */
    int processes, threads;            /* --processes, --threads (default 1) */
};

struct agg_server {
    const char *name;                  /* the program, for messages */
    int listen_fd;
    int stop_fd;                       /* readable once we are asked to stop */
    char backend[URL_HOST_MAX + 16];   /* "http://127.0.0.1:PORT", "http://[::1]:PORT" */
    double scale;
};

/* The four backend calls of one request: their URLs and results. */
struct agg_calls {
    char urls[AGG_CALLS][URL_HOST_MAX + 64];
    struct fetch_result results[AGG_CALLS];
};

/* How a blocking server makes the calls: in turn, or handed to a reactor. */
typedef void agg_call_fn(struct agg_server *s, struct agg_calls *calls);

/* Parses argv. AGG_RUN to go on, or the exit code (0 --help, 2 usage). */
int agg_parse_options(int argc, char **argv, const char *about, int flags,
                      struct agg_options *o);

/* Listens, catches SIGINT/SIGTERM (they make stop_fd readable, for good),
 * ignores SIGPIPE, prints "listening on http://HOST:PORT". 0 or -1. */
int agg_server_start(struct agg_server *s, const char *name, const struct agg_options *o);
void agg_server_stop(struct agg_server *s);      /* what the signals do */
void agg_server_close(struct agg_server *s);

/* ---- the application, for every server ---- */

/* Fills in the URLs of the four calls; results zeroed, each url set. */
void agg_calls_init(const struct agg_server *s, struct agg_calls *calls);
void agg_calls_free(struct agg_calls *calls);

/* Reads a complete request head. 1: it is GET /, make the calls. 0: the
 * answer (400, 404, 405) is in `answer` already. */
int agg_route(const char *head, size_t head_len, char *answer, size_t size);

/* The answer to GET / once the calls are done: 200 saying how long they
 * took, or 502 naming the first call that failed. Returns its length. */
size_t agg_answer(char *answer, size_t size, const struct agg_calls *calls,
                  double seconds, const char *how);

/* An answer with a short text body. Returns its length. */
size_t agg_format(char *answer, size_t size, int status, const char *reason,
                  const char *body);

/* ---- the blocking loop: sync, prefork, threads, offload ---- */

void agg_call_in_turn(struct agg_server *s, struct agg_calls *calls);

/* Accepts and serves clients one at a time until stop_fd is readable. */
void agg_serve_forever(struct agg_server *s, agg_call_fn *call);

/* Runs agg_serve_forever in n threads (n = 1: in this one) and joins them
 * once stopped. 0, or -1 if a thread could not be started. */
int agg_serve_in_threads(struct agg_server *s, int n, agg_call_fn *call);

#endif
