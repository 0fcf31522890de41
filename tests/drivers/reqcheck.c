/* reqcheck: the request-head helpers on a head read from stdin, for
 * tests/http.bats. Prints "head_end=N", then "method=M path=P minor=V" or
 * "error: MESSAGE" (exit 1), then one line per query parameter NAME asked:
 * "NAME=VALUE", "NAME absent" or "NAME too long" (values over 15 bytes).
 */
#include <stdio.h>

#include "driver.h"
#include "http.h"

static const char usage[] =
    "usage: reqcheck [--] [NAME...] < HEAD\n"
    "Parses the request head on stdin; prints head_end=N, the request line,\n"
    "and the value of each query parameter NAME.\n";

int main(int argc, char **argv)
{
    static char head[HTTP_REQUEST_HEAD_MAX];
    char err[HTTP_ERR_LEN], value[16];
    struct http_request req;
    int rc = driver_parse_options(argc, argv, "reqcheck", usage);
    if (rc >= 0)
        return rc;
    size_t len = fread(head, 1, sizeof head, stdin);
    size_t end = http_request_head_end(head, len);
    printf("head_end=%zu\n", end);
    if (http_request_parse(head, end > 0 ? end : len, &req, err, sizeof err) < 0) {
        printf("error: %s\n", err);
        return 1;
    }
    printf("method=%s path=%s minor=%d\n", req.method, req.path, req.minor_version);
    for (int i = optind; i < argc; i++) {
        int found = http_query_param(req.path, argv[i], value, sizeof value);
        if (found > 0)
            printf("%s=%s\n", argv[i], value);
        else
            printf("%s %s\n", argv[i], found == 0 ? "absent" : "too long");
    }
    return 0;
}
