/* reqcheck: the request-head helpers on a head read from stdin, for
 * tests/http.bats. Prints "head_end=N", then "method=M path=P minor=V" or
 * "error: MESSAGE" (exit 1), then one line per query parameter NAME asked:
 * "NAME=VALUE", "NAME absent" or "NAME too long" (values over 15 bytes).
 */
#include <stdio.h>

#include "http.h"

int main(int argc, char **argv)
{
    static char head[HTTP_REQUEST_HEAD_MAX];
    char err[HTTP_ERR_LEN], value[16];
    struct http_request req;
    size_t len = fread(head, 1, sizeof head, stdin);
    size_t end = http_request_head_end(head, len);
    printf("head_end=%zu\n", end);
    if (http_request_parse(head, end > 0 ? end : len, &req, err, sizeof err) < 0) {
        printf("error: %s\n", err);
        return 1;
    }
    printf("method=%s path=%s minor=%d\n", req.method, req.path, req.minor_version);
    for (int i = 1; i < argc; i++) {
        int found = http_query_param(req.path, argv[i], value, sizeof value);
        if (found > 0)
            printf("%s=%s\n", argv[i], value);
        else
            printf("%s %s\n", argv[i], found == 0 ? "absent" : "too long");
    }
    return 0;
}
