/* httpcheck: feed a response from stdin to the http parser, CHUNK bytes at
 * a time (0: all in one feed), for tests/http.bats. Prints
 * "status=S content-length=L body=N sum=X" (exit 0) or "error: MESSAGE" (1),
 * and writes the body to BODYFILE when one is named. With HTTPCHECK_FRAMING
 * set in the environment, a second line says where the response ended:
 * "chunked=C keep-alive=K used=U of N" (the rest is the next response's). The sum is FNV-1a of
 * the body, so the results of two splits can be compared as text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "http.h"

/* All of stdin in a malloc'd buffer. */
static char *read_all(size_t *len)
{
    size_t cap = 65536;
    char *buf = malloc(cap);
    *len = 0;
    while (buf != NULL) {
        *len += fread(buf + *len, 1, cap - *len, stdin);
        if (*len < cap)
            return buf;
        char *bigger = realloc(buf, cap * 2);
        if (bigger == NULL)
            free(buf);
        buf = bigger;
        cap *= 2;
    }
    return NULL;
}

static unsigned long fnv1a(const char *p, size_t len)
{
    unsigned long h = 2166136261UL;
    for (size_t i = 0; i < len; i++)
        h = ((h ^ (unsigned char)p[i]) * 16777619UL) & 0xffffffffUL;
    return h;
}

static int save(const char *path, const char *body, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok = f != NULL && (len == 0 || fwrite(body, 1, len, f) == len);
    if (f != NULL && fclose(f) != 0)
        ok = 0;
    if (!ok)
        perror(path);
    return ok ? 0 : -1;
}

static const char usage[] =
    "usage: httpcheck [CHUNK [BODYFILE]] < response\n"
    "Feeds stdin to the response parser CHUNK bytes at a time (0: at once) and\n"
    "prints \"status=S content-length=L body=N sum=X\" or \"error: MESSAGE\".\n";

int main(int argc, char **argv)
{
    size_t len, chunk = 0;
    char err[HTTP_ERR_LEN];
    struct http_response res;
    enum http_progress p = HTTP_MORE;
    int rc = driver_parse_options(argc, argv, "httpcheck", usage);
    if (rc >= 0)
        return rc;
    argv += optind - 1;   /* argv[1] is CHUNK, as if there were no options */
    argc -= optind - 1;
    if (argc > 3)
        return driver_usage_error("at most CHUNK and BODYFILE, not also '%s'", argv[3]);
    long n = argc > 1 ? driver_number("CHUNK", argv[1], 0, 1L << 30) : 0;
    if (n < 0)
        return 2;
    chunk = (size_t)n;
    char *in = read_all(&len);
    if (in == NULL) {
        fprintf(stderr, "httpcheck: out of memory\n");
        return 2;
    }
    http_response_init(&res);
    size_t used = 0;
    for (size_t at = 0; at < len && p == HTTP_MORE; at += chunk) {
        size_t took;
        if (chunk == 0 || chunk > len - at)
            chunk = len - at;   /* one feed, or the last short piece */
        p = http_response_parse(&res, in + at, chunk, &took, err, sizeof err);
        used += took;
    }
    if (p == HTTP_MORE)
        p = http_response_eof(&res, err, sizeof err);
    if (p == HTTP_ERROR)
        printf("error: %s\n", err);
    else
        printf("status=%d content-length=%lld body=%zu sum=%08lx\n", res.status,
               res.content_length, res.body_len, fnv1a(res.body, res.body_len));
    if (p != HTTP_ERROR && getenv("HTTPCHECK_FRAMING") != NULL)
        printf("chunked=%d keep-alive=%d used=%zu of %zu\n", res.chunked, res.keep_alive, used,
               len);
    if (p != HTTP_ERROR && argc > 2 && save(argv[2], res.body, res.body_len) < 0)
        p = HTTP_ERROR;
    http_response_free(&res);
    free(in);
    return p == HTTP_ERROR;
}
