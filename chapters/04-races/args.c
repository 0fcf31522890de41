/* args: the tiny command line shared by counter, table and deadlock.
 * Every value is checked whole ("4x" and "" are errors, not 4 and 0).
 * Left out: "--name=value", option bundles; see common/fetchcli for those.
 */
#include <errno.h>
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

/* Stores value into option o: 0, or 2 after printing why it is wrong. */
static int set_option(const char *prog, const struct args_option *o, const char *value)
{
    if (o->number && parse_number(value, o->min, o->max, o->number) == 0)
        return 0;
    if (o->choice && parse_word(value, o->words, o->choice) == 0)
        return 0;
    if (o->number)
        fprintf(stderr, "%s: %s must be a number from %d to %d, not '%s'\n",
                prog, o->name, o->min, o->max, value);
    else
        fprintf(stderr, "%s: %s: no such choice '%s'\n", prog, o->name, value);
    return 2;
}

int args_parse(int argc, char **argv, const char *about,
               const struct args_option *options, int n_options)
{
    const char *slash = argc > 0 ? strrchr(argv[0], '/') : NULL;
    const char *prog = slash ? slash + 1 : argc > 0 ? argv[0] : "demo";

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            print_help(prog, about, options, n_options);
            return 0;
        }
        int k = 0;
        while (k < n_options && strcmp(argv[i], options[k].name) != 0)
            k++;
        if (k == n_options) {
            fprintf(stderr, "%s: unknown argument '%s'\nTry '%s --help'.\n", prog, argv[i], prog);
            return 2;
        }
        if (i + 1 == argc) {
            fprintf(stderr, "%s: option '%s' needs a value\n", prog, argv[i]);
            return 2;
        }
        if (set_option(prog, &options[k], argv[++i]) != 0)
            return 2;
    }
    return ARGS_RUN;
}
