/* args: the tiny command line shared by counter, table and deadlock,
 * parsed by getopt_long ("--threads 4" or "--threads=4"). Every value is
 * checked whole ("4x" and "" are errors, not 4 and 0).
 * Left out: short options but -h, arguments that are not options.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

static void print_help(const char *prog, const char *about,
                       const struct args_option *options, int n_options)
{
    printf("Usage: %s [options]\n%s\n\nOptions:\n", prog, about);
    for (int i = 0; i < n_options; i++) {
        const struct args_option *o = &options[i];
        char left[64] = "";
        if (o->number)
            snprintf(left, sizeof left, "%s N", o->name);
        else
            snprintf(left, sizeof left, "%s %s", o->name, o->words[0]);
        for (int w = 1; o->words && o->words[w]; w++)
            snprintf(left + strlen(left), sizeof left - strlen(left), "|%s", o->words[w]);
        printf("  %-26s %s\n", left, o->help);
    }
    printf("  %-26s %s\n", "-h, --help", "print this help and exit");
}

static int parse_number(const char *text, int min, int max, int *out)
{
    char *end;

    errno = 0;
    long v = strtol(text, &end, 10);
    if (text[0] == '\0' || *end != '\0' || errno != 0 || v < min || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

static int parse_word(const char *text, const char *const *words, int *out)
{
    for (int w = 0; words[w]; w++)
        if (strcmp(text, words[w]) == 0) {
            *out = w;
            return 0;
        }
    return -1;
}

__attribute__((format(printf, 2, 3)))
static int usage_error(const char *prog, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '%s --help'.\n", prog);
    return 2;
}

/* Stores value into option o: ARGS_RUN, or 2 after saying why it is wrong. */
static int set_option(const char *prog, const struct args_option *o, const char *value)
{
    if (o->number && parse_number(value, o->min, o->max, o->number) == 0)
        return ARGS_RUN;
    if (o->choice && parse_word(value, o->words, o->choice) == 0)
        return ARGS_RUN;
    if (o->number)
        return usage_error(prog, "%s must be a number from %d to %d, not '%s'",
                           o->name, o->min, o->max, value);
    return usage_error(prog, "%s: no such choice '%s'", o->name, value);
}

/* Runs getopt_long over argv with longs, the table for options (option k
 * has the code k, --help 'h'). */
static int parse(const char *prog, int argc, char **argv, const char *about,
                 const struct args_option *options, int n_options, const struct option *longs)
{
    int c, rc = ARGS_RUN;

    opterr = 0;   /* the messages are ours */
    while (rc == ARGS_RUN && (c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        if (c == 'h') {
            print_help(prog, about, options, n_options);
            return 0;
        }
        if (c == ':')
            return usage_error(prog, "option '%s' needs a value", argv[optind - 1]);
        if (c == '?')   /* -x (in optopt) or --name (the argument read last) */
            return optopt ? usage_error(prog, "unknown option '-%c'", optopt)
                          : usage_error(prog, "unknown option '%s'", argv[optind - 1]);
        rc = set_option(prog, &options[c], optarg);
    }
    if (rc == ARGS_RUN && optind < argc)
        return usage_error(prog, "unexpected argument '%s'", argv[optind]);
    return rc;
}

int args_parse(int argc, char **argv, const char *about,
               const struct args_option *options, int n_options)
{
    const char *slash = argc > 0 ? strrchr(argv[0], '/') : NULL;
    const char *prog = slash ? slash + 1 : argc > 0 ? argv[0] : "demo";
    struct option *longs = calloc((size_t)n_options + 2, sizeof *longs);

    if (longs == NULL) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return 2;
    }
    for (int k = 0; k < n_options; k++)   /* "--threads": "threads" */
        longs[k] = (struct option){ options[k].name + 2, required_argument, NULL, k };
    longs[n_options] = (struct option){ "help", no_argument, NULL, 'h' };
    int rc = parse(prog, argc, argv, about, options, n_options, longs);
    free(longs);
    return rc;
}
