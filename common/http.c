/* http: the GET builder, the incremental response parser, and the request
 * head helpers of the servers. The parser keeps no more state than
 * struct http_response shows, so any split of the bytes gives the same result.
 * A response ends (RFC 9112 6.3) after Content-Length bytes, after the last
 * chunk of a chunked body, or when the connection closes.
 * Left out: every header but those that frame a message or keep it alive.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"

/* res->state: where the parser is. */
enum { READING_HEAD = 0, READING_BODY = 1, COMPLETE = 2, FAILED = -1 };

/* res->chunk_state: where in a chunked body (RFC 9112 7.1):
 *   SIZE "1f4" [";ext"] CRLF, DATA of that size, CRLF, ... "0" CRLF,
 *   trailer lines, CRLF. A bare LF is taken for CRLF, as in the head. */
enum { CHUNK_SIZE = 0, CHUNK_SIZE_MORE, CHUNK_EXT, CHUNK_SIZE_LF, CHUNK_DATA, CHUNK_DATA_CR,
       CHUNK_DATA_LF, CHUNK_TRAILER, CHUNK_TRAILER_LINE, CHUNK_END_LF };


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
        res->state = FAILED;
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

/* The same GET in HTTP/1.1, and without "Connection: close": a request
 * after which the connection stays open (RFC 9112 9.3). */
int http_format_get_persistent(char *buf, size_t size, const struct url *u)
{
    char port[16] = "";
    if (u->port != 80)
        snprintf(port, sizeof port, ":%d", u->port);
    int ipv6 = strchr(u->host, ':') != NULL;
    int n = snprintf(buf, size,
                     "GET %s HTTP/1.1\r\n"
                     "Host: %s%s%s%s\r\n"
                     "User-Agent: waitless\r\n"
                     "\r\n",
                     u->path, ipv6 ? "[" : "", u->host, ipv6 ? "]" : "", port);
    return n < 0 || (size_t)n >= size ? -1 : n;
}

char *http_format_get_new(const struct url *u, size_t *len)
{
    char request[URL_HOST_MAX + URL_PATH_MAX + 128];
    int n = http_format_get(request, sizeof request, u);
    char *copy = n < 0 ? NULL : strndup(request, (size_t)n);
    if (n < 0)
        errno = ENAMETOOLONG;
    *len = copy != NULL ? (size_t)n : 0;
    return copy;
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

/* Whether a header line (without its end of line) is `name: ...` and its
 * value, a comma-separated list, holds `token` (both compared without case).
 * With token NULL: whether it is that header at all. */
static int header_has(const char *line, size_t len, const char *name, const char *token)
{
    size_t name_len = strlen(name), token_len = token ? strlen(token) : 0;
    if (len <= name_len || line[name_len] != ':' || strncasecmp(line, name, name_len) != 0)
        return 0;
    if (token == NULL)
        return 1;
    const char *v = line + name_len + 1, *end = line + len;
    while (v < end) {
        const char *comma = memchr(v, ',', (size_t)(end - v));
        const char *item_end = comma ? comma : end;
        while (v < item_end && (*v == ' ' || *v == '\t'))
            v++;
        const char *e = item_end;
        while (e > v && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
            e--;
        if ((size_t)(e - v) == token_len && strncasecmp(v, token, token_len) == 0)
            return 1;
        v = item_end + 1;
    }
    return 0;
}

/* Connection options, kept in keep_alive until the head ends. */
enum { CONN_CLOSE = 1, CONN_KEEP = 2 };

/* One header line (without its '\n'): Content-Length, Transfer-Encoding
 * and Connection matter. */
static enum http_progress parse_header(struct http_response *res, const char *line,
                                       size_t len, char *err, size_t errlen)
{
    const char *colon = memchr(line, ':', len);
    long long n;
    if (colon == NULL)
        return fail(res, err, errlen, "header line without ':'");
    res->keep_alive |= header_has(line, len, "Connection", "close") ? CONN_CLOSE : 0;
    res->keep_alive |= header_has(line, len, "Connection", "keep-alive") ? CONN_KEEP : 0;
    if (header_has(line, len, "Transfer-Encoding", NULL)) {
        if (!header_has(line, len, "Transfer-Encoding", "chunked"))
            return fail(res, err, errlen, "unsupported Transfer-Encoding");
        res->chunked = 1;
    }
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

/* 1xx, 204 and 304 responses have no body, whatever the headers say. */
static int no_body(const struct http_response *res)
{
    return res->status < 200 || res->status == 204 || res->status == 304;
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
    if (res->chunked && res->content_length >= 0)   /* RFC 9112 6.3: smuggling */
        return fail(res, err, errlen, "both Transfer-Encoding and Content-Length");
    /* RFC 9112 9.3: 1.1 stays open unless "close", 1.0 closes unless
     * "keep-alive"; and a body that ends at EOF takes the connection along. */
    int minor = res->head[7] - '0', options = res->keep_alive;
    res->keep_alive = !(options & CONN_CLOSE) && (minor >= 1 || (options & CONN_KEEP))
                      && (res->chunked || res->content_length >= 0 || no_body(res));
    res->state = READING_BODY;
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

/* Appends to the body, which stays '\0'-terminated for the reader's sake. */
static int append_body(struct http_response *res, const char *data, size_t len,
                       char *err, size_t errlen)
{
    if (len > HTTP_BODY_MAX - res->body_len) {
        fail(res, err, errlen, "body over %d MiB", HTTP_BODY_MAX >> 20);
        return -1;
    }
    if (res->body_len + len + 1 > res->body_cap) {
        size_t cap = res->body_cap > 0 ? res->body_cap : 4096;
        size_t limit = res->content_length >= 0 ? (size_t)res->content_length + 1
                                                : (size_t)HTTP_BODY_MAX + 1;
        while (cap < res->body_len + len + 1)
            cap *= 2;
        if (cap > limit)
            cap = limit;   /* no more than the body can need */
        char *bigger = realloc(res->body, cap);
        if (bigger == NULL) {
            fail(res, err, errlen, "out of memory for a %zu-byte body", cap);
            return -1;
        }
        res->body = bigger;
        res->body_cap = cap;
    }
    if (len > 0)
        memcpy(res->body + res->body_len, data, len);
    res->body_len += len;
    res->body[res->body_len] = '\0';
    return 0;
}

/* One byte of a chunk-size line or of what follows a chunk's data. */
static enum http_progress chunk_framing(struct http_response *res, char c, char *err,
                                        size_t errlen)
{
    int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    int *st = &res->chunk_state;
    if ((*st == CHUNK_SIZE || *st == CHUNK_SIZE_MORE) && digit >= 0) {
        res->chunk_left = res->chunk_left * 16 + digit;
        if (res->chunk_left > HTTP_BODY_MAX)
            return fail(res, err, errlen, "chunk size over the %d MiB limit", HTTP_BODY_MAX >> 20);
        *st = CHUNK_SIZE_MORE;
    } else if (*st == CHUNK_SIZE_MORE && (c == ';' || c == ' ' || c == '\t')) {
        *st = CHUNK_EXT;                       /* an extension: skipped */
    } else if ((*st == CHUNK_SIZE_MORE || *st == CHUNK_EXT) && c == '\r') {
        *st = CHUNK_SIZE_LF;
    } else if ((*st == CHUNK_SIZE_MORE || *st == CHUNK_EXT || *st == CHUNK_SIZE_LF) && c == '\n') {
        *st = res->chunk_left > 0 ? CHUNK_DATA : CHUNK_TRAILER;   /* "0": the last chunk */
    } else if (*st == CHUNK_EXT && c != '\r') {
    } else if (*st == CHUNK_DATA_CR && c == '\r') {
        *st = CHUNK_DATA_LF;
    } else if ((*st == CHUNK_DATA_CR || *st == CHUNK_DATA_LF) && c == '\n') {
        *st = CHUNK_SIZE;
    } else if (*st == CHUNK_DATA_CR || *st == CHUNK_DATA_LF) {
        return fail(res, err, errlen, "a chunk longer than its size said");
    } else {
        return fail(res, err, errlen, "bad chunk size line");
    }
    return HTTP_MORE;
}

/* One byte of the trailer: header lines until a blank one, then done. */
static enum http_progress chunk_trailer(struct http_response *res, char c, char *err,
                                        size_t errlen)
{
    int *st = &res->chunk_state;
    if (++res->chunk_left > HTTP_HEAD_MAX)     /* counts trailer bytes now */
        return fail(res, err, errlen, "chunked trailer over %d KiB", HTTP_HEAD_MAX >> 10);
    if (*st == CHUNK_TRAILER && c == '\n')
        return HTTP_DONE;
    if (*st == CHUNK_TRAILER && c == '\r')
        *st = CHUNK_END_LF;
    else if (*st == CHUNK_END_LF)
        return c == '\n' ? HTTP_DONE : fail(res, err, errlen, "bad end of a chunked body");
    else
        *st = c == '\n' ? CHUNK_TRAILER : CHUNK_TRAILER_LINE;
    return HTTP_MORE;
}

/* Takes a chunked body's bytes: data to the body, framing checked. */
static enum http_progress feed_chunked(struct http_response *res, const char *data, size_t len,
                                       size_t *used, char *err, size_t errlen)
{
    enum http_progress progress = HTTP_MORE;
    size_t i = 0;
    while (i < len && progress == HTTP_MORE) {
        if (res->chunk_state == CHUNK_DATA) {
            size_t n = len - i < (unsigned long long)res->chunk_left ? len - i
                                                                      : (size_t)res->chunk_left;
            if (append_body(res, data + i, n, err, errlen) < 0)
                return HTTP_ERROR;
            i += n;
            res->chunk_left -= (long long)n;
            if (res->chunk_left == 0)
                res->chunk_state = CHUNK_DATA_CR;
            continue;
        }
        char c = data[i++];
        progress = res->chunk_state >= CHUNK_TRAILER ? chunk_trailer(res, c, err, errlen)
                                                     : chunk_framing(res, c, err, errlen);
    }
    *used = i;
    return progress;
}

/* Takes the body's bytes from data; *used says how many were the body's. */
static enum http_progress feed_body(struct http_response *res, const char *data, size_t len,
                                    size_t *used, char *err, size_t errlen)
{
    if (res->chunked)
        return feed_chunked(res, data, len, used, err, errlen);
    if (res->content_length >= 0 && (long long)len > res->content_length - (long long)res->body_len)
        len = (size_t)(res->content_length - (long long)res->body_len);   /* the next one's */
    *used = len;
    if (append_body(res, data, len, err, errlen) < 0)
        return HTTP_ERROR;
    return (long long)res->body_len == res->content_length ? HTTP_DONE : HTTP_MORE;
}

/* Whether the head alone completes the response: no body to come. */
static int empty_body(const struct http_response *res)
{
    return no_body(res) || (!res->chunked && res->content_length == 0);
}

enum http_progress http_response_parse(struct http_response *res, const char *data,
                                       size_t len, size_t *used, char *err, size_t errlen)
{
    size_t head_used = 0, body_used = 0;
    *used = 0;
    if (res->state == FAILED)
        return fail(res, err, errlen, "the response had already failed");
    if (res->state == COMPLETE)
        return HTTP_DONE;                      /* bytes after the end: not ours */
    if (res->state == READING_HEAD) {
        if (feed_head(res, data, len, &head_used, err, errlen) == HTTP_ERROR)
            return HTTP_ERROR;
        *used = head_used;
        if (res->state == READING_HEAD)
            return HTTP_MORE;
        if (empty_body(res) && append_body(res, "", 0, err, errlen) == 0)
            res->state = COMPLETE;             /* (an empty body is still a string) */
        if (res->state != READING_BODY)
            return res->state == COMPLETE ? HTTP_DONE : HTTP_ERROR;
    }
    if (len == head_used)
        return HTTP_MORE;
    enum http_progress progress = feed_body(res, data + head_used, len - head_used, &body_used,
                                            err, errlen);
    *used = head_used + body_used;
    if (progress == HTTP_DONE)
        res->state = COMPLETE;
    return progress;
}

enum http_progress http_response_feed(struct http_response *res, const char *data,
                                      size_t len, char *err, size_t errlen)
{
    size_t used;
    return http_response_parse(res, data, len, &used, err, errlen);
}

enum http_progress http_response_eof(struct http_response *res, char *err, size_t errlen)
{
    if (res->state == FAILED)
        return fail(res, err, errlen, "the response had already failed");
    if (res->state == COMPLETE)
        return HTTP_DONE;
    if (res->state == READING_HEAD && res->head_len == 0)
        return fail(res, err, errlen, "empty response");
    if (res->state == READING_HEAD)
        return fail(res, err, errlen, "connection closed before the response head ended");
    if (res->content_length >= 0 && (long long)res->body_len < res->content_length)
        return fail(res, err, errlen, "truncated: got %zu of %lld bytes", res->body_len,
                    res->content_length);
    if (res->chunked)
        return fail(res, err, errlen, "truncated: the chunked body ended after %zu bytes",
                    res->body_len);
    res->keep_alive = 0;
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

/* RFC 9112 9.3, from the header lines after the request line. */
static int request_keep_alive(const char *lines, const char *end, int minor)
{
    int close = 0, keep = 0, body = 0;
    while (lines < end) {
        const char *nl = memchr(lines, '\n', (size_t)(end - lines));
        size_t len = (size_t)((nl ? nl : end) - lines);
        close |= header_has(lines, len, "Connection", "close");
        keep |= header_has(lines, len, "Connection", "keep-alive");
        body |= header_has(lines, len, "Content-Length", NULL)
                || header_has(lines, len, "Transfer-Encoding", NULL);
        lines += len + 1;
    }
    if (close || body)
        return 0;
    return minor >= 1 || keep;
}

/* The request line: "METHOD SP PATH SP HTTP/1.x"; of the headers, only
 * what decides keep_alive. */
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
    req->keep_alive = request_keep_alive(nl != NULL ? nl + 1 : head + len, head + len, minor);
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
