/* driver: the command line the test drivers share, done the way the
 * chapters' small programs do it: --help prints the usage to stdout (exit 0),
 * a usage error goes to stderr with "Try 'NAME --help'." (exit 2).
 * Left out: any option but --help (no driver takes one).
 */
#ifndef DRIVER_H
#define DRIVER_H

#include <unistd.h>   /* optind */

/* Reads the options: --help or an unknown option gives the exit code (after
 * saying so); else -1, the operands from argv[optind] on. NAME is the
 * program's, kept for driver_usage_error; USAGE is what --help prints. */
int driver_parse_options(int argc, char **argv, const char *name, const char *usage);

/* "NAME: MESSAGE" and "Try 'NAME --help'." on stderr; returns 2. */
__attribute__((format(printf, 1, 2)))
int driver_usage_error(const char *fmt, ...);

/* The operand TEXT as a number from min to max, or -1 (after a usage error
 * naming WHAT). */
long driver_number(const char *what, const char *text, long min, long max);

#endif
