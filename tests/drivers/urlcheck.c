/* urlcheck: url_parse one URL for tests/url.bats.
 * Prints "host=H port=P path=X" (exit 0) or "error: MESSAGE" (exit 1).
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "url.h"

static int usage(FILE *out, int status)
{
    fputs("usage: urlcheck URL\n"
          "Prints url_parse's \"host=H port=P path=X\" (exit 0) or \"error: MESSAGE\" (1).\n", out);
    return status;
}

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("urlcheck: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'urlcheck --help'.\n", stderr);
    return 2;
}

/* --help, or an unknown option: the exit code; else -1, the operands from
 * argv[optind] on. */
static int parse_options(int argc, char **argv)
{
    static const struct option longs[] = {
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };

    opterr = 0;   /* the messages are ours */
    int c = getopt_long(argc, argv, "+h", longs, NULL);
    if (c == 'h')
        return usage(stdout, 0);
    if (c != -1)   /* '?': -x (in optopt) or --name (the argument read last) */
        return optopt ? usage_error("unknown option '-%c'", optopt)
                      : usage_error("unknown option '%s'", argv[optind - 1]);
    return -1;
}

int main(int argc, char **argv)
{
    struct url u;
    char err[URL_ERR_LEN];
    int rc = parse_options(argc, argv);
    if (rc >= 0)
        return rc;
    if (optind + 1 != argc)
        return usage_error("one URL is needed");
    if (url_parse(argv[optind], &u, err, sizeof err) < 0) {
        printf("error: %s\n", err);
        return 1;
    }
    printf("host=%s port=%d path=%s\n", u.host, u.port, u.path);
    return 0;
}
