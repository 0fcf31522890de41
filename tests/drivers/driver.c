/* driver: --help, usage errors and number operands for the test drivers
 * (see driver.h). Left out: options other than --help.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "driver.h"

static const char *program = "driver";   /* set by driver_parse_options */

int driver_usage_error(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", program);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '%s --help'.\n", program);
    return 2;
}

int driver_parse_options(int argc, char **argv, const char *name, const char *usage)
{
    static const struct option longs[] = {
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };

    program = name;
    opterr = 0;   /* the messages are ours */
    int c = getopt_long(argc, argv, "+h", longs, NULL);
    if (c == 'h') {
        fputs(usage, stdout);
        return 0;
    }
    if (c != -1)   /* '?': -x (in optopt) or --name (the argument read last) */
        return optopt ? driver_usage_error("unknown option '-%c'", optopt)
                      : driver_usage_error("unknown option '%s'", argv[optind - 1]);
    return -1;
}

long driver_number(const char *what, const char *text, long min, long max)
{
    char *end;
    long v = strtol(text, &end, 10);

    if (*text == '\0' || *end != '\0' || v < min || v > max) {
        driver_usage_error("%s must be a number from %ld to %ld, not '%s'", what, min, max, text);
        return -1;
    }
    return v;
}
