/* urlcheck: url_parse one URL for tests/url.bats.
 * Prints "host=H port=P path=X" (exit 0) or "error: MESSAGE" (exit 1).
 */
#include <stdio.h>

#include "url.h"

int main(int argc, char **argv)
{
    struct url u;
    char err[URL_ERR_LEN];
    if (argc != 2) {
        fprintf(stderr, "usage: urlcheck URL\n");
        return 2;
    }
    if (url_parse(argv[1], &u, err, sizeof err) < 0) {
        printf("error: %s\n", err);
        return 1;
    }
    printf("host=%s port=%d path=%s\n", u.host, u.port, u.path);
    return 0;
}
