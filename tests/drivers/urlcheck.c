/* urlcheck: url_parse one URL for tests/url.bats.
 * Prints "host=H port=P path=X" (exit 0) or "error: MESSAGE" (exit 1).
 */
#include <stdio.h>
#include <stdlib.h>

#include "driver.h"
#include "url.h"

static const char usage[] =
    "usage: urlcheck URL\n"
    "Prints url_parse's \"host=H port=P path=X\" (exit 0) or \"error: MESSAGE\" (1).\n";

int main(int argc, char **argv)
{
    struct url u;
    char err[URL_ERR_LEN];
    int rc = driver_parse_options(argc, argv, "urlcheck", usage);
    if (rc >= 0)
        return rc;
    if (optind + 1 != argc)
        return driver_usage_error("one URL is needed");
    if (url_parse(argv[optind], &u, err, sizeof err) < 0) {
        printf("error: %s\n", err);
        return 1;
    }
    printf("host=%s port=%d path=%s\n", u.host, u.port, u.path);
    return 0;
}
