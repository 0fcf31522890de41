/* http: the GET builder, the incremental response parser, and the request
 * head helpers of the servers. The parser keeps no more state than
 * struct http_response shows, so any split of the bytes gives the same result.
 * Left out: chunked encoding, keep-alive, every header but Content-Length.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"

/* head_done is the parser's state. */
enum { READING_HEAD = 0, READING_BODY = 1, FAILED = -1 };

static enum http_progress fail(struct http_response *res, char *err, size_t errlen,
                               const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static enum http_progress fail(struct http_response *res, char *err, size_t errlen,
                               const char *fmt, ...)
{
    if (err != NULL && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    if (res != NULL)
        res->head_done = FAILED;
    return HTTP_ERROR;
}

int http_format_get(char *buf, size_t size, const struct url *u)
{
    char port[16] = "";
    if (u->port != 80)
        snprintf(port, sizeof port, ":%d", u->port);
    int ipv6 = strchr(u->host, ':') != NULL;   /* Host: keeps the brackets */
    int n = snprintf(buf, size,
                     "GET %s HTTP/1.0\r\n"
                     "Host: %s%s%s%s\r\n"
                     "User-Agent: waitless\r\n"
                     "Connection: close\r\n"
                     "\r\n",
                     u->path, ipv6 ? "[" : "", u->host, ipv6 ? "]" : "", port);
    return n < 0 || (size_t)n >= size ? -1 : n;
}

void http_response_init(struct http_response *res)
{
    memset(res, 0, sizeof *res);
    res->content_length = -1;
}

void http_response_free(struct http_response *res)
{
    free(res->head);
    free(res->body);
    http_response_init(res);
}

/* ---- the response head ------------------------------------------------ */

/* Where a blank line ends in data[0..len): the index just past its '\n', or
 * 0. A line ends with "\n" or "\r\n", so the head ends with "\n\n" or
 * "\n\r\n"; `p1` and `p2` are the two bytes before data (0 when none). */
static size_t blank_line_end(const char *data, size_t len, char p1, char p2)
{
    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        if (c == '\n' && (p1 == '\n' || (p1 == '\r' && p2 == '\n')))
            return i + 1;
        p2 = p1;
        p1 = c;
    }
    return 0;
}

/* The head buffer has no capacity field: its size is a function of its
 * length (a power of two, at least 1 KiB), so it grows by doubling. */
static size_t head_capacity(size_t len)
{
    size_t cap = 1024;
    while (cap < len)
        cap *= 2;
    return len == 0 ? 0 : cap;
}

static int append_head(struct http_response *res, const char *data, size_t len)
{
    size_t need = res->head_len + len;
    if (head_capacity(need) > head_capacity(res->head_len)) {
        char *bigger = realloc(res->head, head_capacity(need));
        if (bigger == NULL)
            return -1;
        res->head = bigger;
    }
    if (len > 0)
        memcpy(res->head + res->head_len, data, len);
    res->head_len = need;
    return 0;
}

/* "HTTP/1.<digit> NNN[ reason]" with NNN from 100 to 599; the status or 0. */
static int parse_status_line(const char *line, size_t len)
{
    if (len > 0 && line[len - 1] == '\r')
        len--;
    if (len < 12 || memcmp(line, "HTTP/1.", 7) != 0 || line[7] < '0' || line[7] > '9'
        || line[8] != ' ' || (len > 12 && line[12] != ' '))
        return 0;
    int status = 0;
    for (int i = 9; i < 12; i++) {
        if (line[i] < '0' || line[i] > '9')
            return 0;
        status = status * 10 + (line[i] - '0');
    }
    return status >= 100 && status <= 599 ? status : 0;
}

/* Checks the status line as soon as it can: its first bytes when they
 * arrive, the whole line once its '\n' is here (sets res->status).
 * `from` is where the new bytes start in the head. */
static int check_status_line(struct http_response *res, size_t from)
{
    static const char prefix[] = "HTTP/1.";
    size_t n = res->head_len < 7 ? res->head_len : 7;
    if (res->status != 0 || res->head_len == from)
        return 0;
    if (memcmp(res->head, prefix, n) != 0)
        return -1;   /* garbage fails fast, without waiting for a blank line */
    const char *nl = memchr(res->head + from, '\n', res->head_len - from);
    if (nl == NULL)
        return 0;
    res->status = parse_status_line(res->head, (size_t)(nl - res->head));
    return res->status != 0 ? 0 : -1;
}

/* A Content-Length value: digits only, surrounding blanks allowed. */
static int parse_content_length(const char *v, size_t len, long long *out)
{
    while (len > 0 && (*v == ' ' || *v == '\t'))
        v++, len--;
    while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t' || v[len - 1] == '\r'))
        len--;
    if (len == 0 || len > 18)   /* 18 digits cannot overflow a long long */
        return -1;
    long long n = 0;
    for (size_t i = 0; i < len; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        n = n * 10 + (v[i] - '0');
    }
    *out = n;
    return 0;
}

/* One header line (without its '\n'): only Content-Length matters. */
static enum http_progress parse_header(struct http_response *res, const char *line,
                                       size_t len, char *err, size_t errlen)
{
    const char *colon = memchr(line, ':', len);
    long long n;
    if (colon == NULL)
        return fail(res, err, errlen, "header line without ':'");
    if ((size_t)(colon - line) != 14 || strncasecmp(line, "Content-Length", 14) != 0)
        return HTTP_MORE;
    if (parse_content_length(colon + 1, len - 15, &n) < 0)
        return fail(res, err, errlen, "invalid Content-Length");
    if (res->content_length >= 0 && res->content_length != n)
        return fail(res, err, errlen, "conflicting Content-Length headers");
    if (n > HTTP_BODY_MAX)
        return fail(res, err, errlen, "Content-Length %lld is over the %d MiB limit", n,
                    HTTP_BODY_MAX >> 20);
    res->content_length = n;
    return HTTP_MORE;
}

/* The head is complete: read the header lines after the status line. */
static enum http_progress parse_headers(struct http_response *res, char *err, size_t errlen)
{
    /* The status line was checked, so its '\n' is there. */
    const char *line = (const char *)memchr(res->head, '\n', res->head_len) + 1;
    const char *end = res->head + res->head_len;
    while (line < end) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        size_t len = (size_t)(nl - line);
        if (len > 0 && line[len - 1] == '\r')
            len--;
        if (len == 0)
            break;   /* the blank line */
        if (parse_header(res, line, len, err, errlen) == HTTP_ERROR)
            return HTTP_ERROR;
        line = nl + 1;
    }
    res->head_done = READING_BODY;
    return HTTP_MORE;
}

/* Takes head bytes from data; *used says how many. */
static enum http_progress feed_head(struct http_response *res, const char *data, size_t len,
                                    size_t *used, char *err, size_t errlen)
{
    char p1 = res->head_len >= 1 ? res->head[res->head_len - 1] : 0;
    char p2 = res->head_len >= 2 ? res->head[res->head_len - 2] : 0;
    size_t end = blank_line_end(data, len, p1, p2);
    size_t want = end != 0 ? end : len;
    size_t room = HTTP_HEAD_MAX - res->head_len;
    size_t from = res->head_len;
    /* Store what fits first, so that garbage is "not an HTTP response" however
     * it was split, and only a real head is "over 64 KiB". */
    if (append_head(res, data, want < room ? want : room) < 0)
        return fail(res, err, errlen, "out of memory for the response head");
    if (check_status_line(res, from) < 0)
        return fail(res, err, errlen, "not an HTTP response");
    if (want > room)
        return fail(res, err, errlen, "response head over %d KiB", HTTP_HEAD_MAX >> 10);
    *used = want;
    return end != 0 ? parse_headers(res, err, errlen) : HTTP_MORE;
}

/* ---- the response body ------------------------------------------------ */

static int body_complete(const struct http_response *res)
{
    return res->content_length >= 0 && (long long)res->body_len == res->content_length;
}

/* Appends to the body, which stays '\0'-terminated for the reader's sake. */
static enum http_progress feed_body(struct http_response *res, const char *data, size_t len,
                                    char *err, size_t errlen)
{
    if (res->content_length >= 0 && (long long)len > res->content_length - (long long)res->body_len)
        len = (size_t)(res->content_length - (long long)res->body_len);   /* extra: ignored */
    if (len > HTTP_BODY_MAX - res->body_len)
        return fail(res, err, errlen, "body over %d MiB", HTTP_BODY_MAX >> 20);
    if (res->body_len + len + 1 > res->body_cap) {
        size_t cap = res->body_cap > 0 ? res->body_cap : 4096;
        size_t limit = res->content_length >= 0 ? (size_t)res->content_length + 1
                                                : (size_t)HTTP_BODY_MAX + 1;
        while (cap < res->body_len + len + 1)
            cap *= 2;
        if (cap > limit)
            cap = limit;   /* no more than the body can need */
        char *bigger = realloc(res->body, cap);
        if (bigger == NULL)
            return fail(res, err, errlen, "out of memory for a %zu-byte body", cap);
        res->body = bigger;
        res->body_cap = cap;
    }
    if (len > 0)
        memcpy(res->body + res->body_len, data, len);
    res->body_len += len;
    res->body[res->body_len] = '\0';
    return body_complete(res) ? HTTP_DONE : HTTP_MORE;
}

enum http_progress http_response_feed(struct http_response *res, const char *data,
                                      size_t len, char *err, size_t errlen)
{
    if (res->head_done == FAILED)
        return fail(res, err, errlen, "the response had already failed");
    if (res->head_done == READING_HEAD) {
        size_t used = 0;
        if (feed_head(res, data, len, &used, err, errlen) == HTTP_ERROR)
            return HTTP_ERROR;
        if (res->head_done == READING_HEAD)
            return HTTP_MORE;
        data += used;
        len -= used;
    }
    if (body_complete(res))
        return HTTP_DONE;   /* also Content-Length: 0, and bytes after the end */
    if (len == 0)
        return HTTP_MORE;
    return feed_body(res, data, len, err, errlen);
}

enum http_progress http_response_eof(struct http_response *res, char *err, size_t errlen)
{
    if (res->head_done == FAILED)
        return fail(res, err, errlen, "the response had already failed");
    if (res->head_done == READING_HEAD && res->head_len == 0)
        return fail(res, err, errlen, "empty response");
    if (res->head_done == READING_HEAD)
        return fail(res, err, errlen, "connection closed before the response head ended");
    if (res->content_length >= 0 && (long long)res->body_len < res->content_length)
        return fail(res, err, errlen, "truncated: got %zu of %lld bytes", res->body_len,
                    res->content_length);
    return HTTP_DONE;
}

/* ---- request heads, for the servers ----------------------------------- */

size_t http_request_head_end(const char *buf, size_t len)
{
    return blank_line_end(buf, len, 0, 0);
}

static int request_error(char *err, size_t errlen, const char *msg)
{
    if (err != NULL && errlen > 0)
        snprintf(err, errlen, "%s", msg);
    return -1;
}

/* "HTTP/1.<digit>" at the end of the request line: the digit, or -1. */
static int parse_version(const char *v, size_t len)
{
    if (len != 8 || memcmp(v, "HTTP/1.", 7) != 0 || v[7] < '0' || v[7] > '9')
        return -1;
    return v[7] - '0';
}

/* The path of a request line: from '/', no control characters. */
static int check_path(const char *path, size_t len, char *err, size_t errlen)
{
    if (len == 0 || path[0] != '/')
        return request_error(err, errlen, "bad request line: the path must start with '/'");
    if (len > URL_PATH_MAX)
        return request_error(err, errlen, "bad request line: path over 2048 bytes");
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)path[i] < 0x20 || path[i] == 0x7f)
            return request_error(err, errlen, "bad request line: control character in the path");
    return 0;
}

/* Only the request line is read: "METHOD SP PATH SP HTTP/1.x". */
int http_request_parse(const char *head, size_t len, struct http_request *req,
                       char *err, size_t errlen)
{
    const char *nl = memchr(head, '\n', len);
    size_t line_len = nl != NULL ? (size_t)(nl - head) : len;
    if (line_len > 0 && head[line_len - 1] == '\r')
        line_len--;
    const char *line_end = head + line_len;
    size_t method_len = 0;
    while (method_len < line_len && head[method_len] >= 'A' && head[method_len] <= 'Z')
        method_len++;
    if (method_len == 0 || method_len >= sizeof req->method)
        return request_error(err, errlen, "bad request line: no method");
    if (method_len == line_len || head[method_len] != ' ')
        return request_error(err, errlen, "bad request line: no path after the method");
    const char *path = head + method_len + 1;
    const char *space = memchr(path, ' ', (size_t)(line_end - path));
    size_t path_len = (size_t)((space != NULL ? space : line_end) - path);
    if (check_path(path, path_len, err, errlen) < 0)
        return -1;
    if (space == NULL)
        return request_error(err, errlen, "bad request line: no HTTP version");
    int minor = parse_version(space + 1, (size_t)(line_end - space - 1));
    if (minor < 0)
        return request_error(err, errlen, "bad request line: the version must be HTTP/1.x");
    memcpy(req->method, head, method_len);
    req->method[method_len] = '\0';
    memcpy(req->path, path, path_len);
    req->path[path_len] = '\0';
    req->minor_version = minor;
    return 0;
}

int http_query_param(const char *path, const char *name, char *out, size_t outlen)
{
    const char *p = strchr(path, '?');
    size_t name_len = strlen(name);
    while (p != NULL) {
        p++;   /* past '?' or '&' */
        size_t part_len = strcspn(p, "&");
        size_t key_len = strcspn(p, "=&");
        if (key_len == name_len && memcmp(p, name, name_len) == 0) {
            const char *value = key_len < part_len ? p + key_len + 1 : p + key_len;
            size_t value_len = (size_t)(p + part_len - value);
            if (value_len >= outlen)
                return -1;
            memcpy(out, value, value_len);
            out[value_len] = '\0';
            return 1;
        }
        p = p[part_len] == '&' ? p + part_len : NULL;
    }
    return 0;
}
