/* Fuzz target: the slow server's request parsing. The head is collected as
 * slowserver.c does (pieces of 1..16 bytes, each search starting 3 bytes
 * back) and must end where a one-pass search says; a parsed request line
 * must be well formed; query parameters must fit the caller's buffer.
 * The first input byte picks the piece size; the rest is the request.
 */
#include <string.h>

#include "fuzz.h"
#include "http.h"

/* Finds the head's end the way slowserver.c's read_some does. */
static size_t head_end_in_pieces(const char *buf, size_t len, size_t piece)
{
    size_t have = 0;
    while (have < len) {
        size_t scanned = have > 3 ? have - 3 : 0;
        have = have + piece < len ? have + piece : len;
        size_t end = http_request_head_end(buf + scanned, have - scanned);
        if (end > 0)
            return scanned + end;
    }
    return 0;
}

static void check_request(const struct http_request *req)
{
    size_t method_len = strlen(req->method);
    must(method_len >= 1 && method_len < sizeof req->method, "a method");
    must(strspn(req->method, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == method_len, "method in capitals");
    must(req->path[0] == '/' && strlen(req->path) <= URL_PATH_MAX, "path from '/'");
    for (const char *p = req->path; *p; p++)
        must((unsigned char)*p >= 0x20 && *p != 0x7f, "no control character in the path");
    must(req->minor_version >= 0 && req->minor_version <= 9, "HTTP/1.x");
    static const char *names[] = { "delay", "bytes", "chunk", "every", "", "a" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char value[32];
        for (size_t outlen = 0; outlen <= sizeof value; outlen += 8) {
            memset(value, 'Z', sizeof value);
            int found = http_query_param(req->path, names[i], value, outlen);
            must(found >= -1 && found <= 1, "http_query_param returns -1, 0 or 1");
            if (found == 1)
                must(strlen(value) < outlen && strchr(value, '&') == NULL,
                     "a value fits its buffer and holds no '&'");
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t piece = 1 + data[0] % 16, len = size - 1;
    if (len > HTTP_REQUEST_HEAD_MAX)
        len = HTTP_REQUEST_HEAD_MAX;   /* the server's buffer */
    char *buf = malloc(len + 1);   /* exactly len bytes would do; +1 for malloc(0) */
    if (buf == NULL)
        return 0;
    memcpy(buf, data + 1, len);
    size_t end = http_request_head_end(buf, len);
    must(end <= len, "the head ends inside the buffer");
    must(head_end_in_pieces(buf, len, piece) == end, "pieces find the same head end");
    struct http_request req;
    char err[HTTP_ERR_LEN] = "";
    int rc = http_request_parse(buf, end > 0 ? end : len, &req, err, sizeof err);
    must(rc == 0 || (rc == -1 && err[0] != '\0'), "parse: 0, or -1 with a reason");
    if (rc == 0)
        check_request(&req);
    free(buf);
    return 0;
}
