/* fetchcli: the command line every fetcher shares, so that a chapter's
 * main is three steps: parse, run the model, finish.
 *
 *   fetch [--timeout S] [--timeline] [--save DIR] [model options] URL... | -
 *
 * Model options include, for the reactor fetchers, --backend NAME and, for
 * those that drive a loop, --trace (FETCHCLI_BACKEND, FETCHCLI_TRACE).
 *
 * Exit codes: 0 every URL fetched, 1 any failed, 2 usage error.
 * Left out: config files, environment variables, URL globbing.
 */
#ifndef WAITLESS_FETCHCLI_H
#define WAITLESS_FETCHCLI_H

#include "report.h"

#define FETCHCLI_RUN (-1)    /* fetchcli_parse: go on and run the model */
#define FETCHCLI_DEFAULT_TIMEOUT 10.0

/* A model option such as "--workers N": an integer in [min, max] stored in
 * *value (which holds the default), or, when value is NULL, a word stored
 * in *text. */
struct fetchcli_option {
    const char *name;       /* "--workers" */
    const char *metavar;    /* "N" */
    const char *help;       /* "worker threads (default 5)" */
    int *value;
    int min, max;
    const char **text;
};

/* Two options fetchcli gives their meaning to, for the fetchers that list
 * them among their options:
 *   --backend NAME  the reactor's backend (select, poll or epoll), checked
 *                   here against reactor.h's names (no reactor is made, so
 *                   a fetcher without one links none); default
 *                   $WAITLESS_BACKEND, else select. It lands in
 *                   job->backend, for reactor_new_backend.
 *   --trace         one stderr line per wait, wake and connection step
 *                   (common/trace.h), timed from job->t0. */
#define FETCHCLI_BACKEND { "--backend", "NAME", NULL, NULL, 0, 0, NULL }
#define FETCHCLI_TRACE   { "--trace", "", NULL, NULL, 0, 0, NULL }

struct fetch_job {
    const char *model;             /* printed in the summary line */
    double timeout;                /* --timeout: seconds allowed per fetch */
    int show_timeline;             /* --timeline */
    const char *save_dir;          /* --save DIR, or NULL */
    const char *backend;           /* with FETCHCLI_BACKEND: a valid name */
    int n;                         /* how many URLs */
    struct fetch_result *results;  /* n slots, url set, the rest zeroed */
    double t0;                     /* timeline_now() when parsing ended */
    char **stdin_lines;            /* private: URLs read from "-" */
    int n_stdin_lines;
};

/* Parses argv into job (and ignores SIGPIPE: a peer that closes early
 * then shows up as EPIPE). Returns FETCHCLI_RUN to go on, or the exit code
 * to return at once: 0 after --help, 2 after a usage error (printed). */
int fetchcli_parse(struct fetch_job *job, int argc, char **argv, const char *model,
                   const char *about, const struct fetchcli_option *options, int n_options);

/* Prints the report (and the timeline), saves bodies under --save, frees
 * everything the job owns, and returns the exit code (0 or 1). */
int fetchcli_finish(struct fetch_job *job);

#endif
