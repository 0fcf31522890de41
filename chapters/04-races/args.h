/* args: the command line of this chapter's small demos: number options
 * ("--threads 4"), word options ("--fix mutex", one of a list), --help,
 * and exit code 2 with a message for anything else.
 * Left out: URLs (these demos fetch nothing), short options, defaults
 * (each option's variable already holds its default).
 */
#ifndef RACES_ARGS_H
#define RACES_ARGS_H

#define ARGS_RUN (-1)   /* args_parse: go on and run the demo */

struct args_option {
    const char *name;            /* "--threads" */
    const char *help;            /* "threads to start (default 4)" */
    int *number;                 /* a number option stores its value here, */
    int min, max;
    int *choice;                 /* a word option the index of its word here */
    const char *const *words;    /* the allowed words, NULL-terminated */
};

/* Returns ARGS_RUN, or the exit code to return at once: 0 after --help,
 * 2 after a usage error (printed on stderr). */
int args_parse(int argc, char **argv, const char *about,
               const struct args_option *options, int n_options);

#endif
