/* http: the small part of HTTP/1.x this toolkit speaks.
 * A GET request builder, an incremental response parser (feed it bytes as
 * they arrive, in any pieces; it knows where a response ends on a kept-alive
 * connection: Content-Length, chunked, or close), and a request-head parser
 * for the servers.
 * Left out: 1xx interim responses, trailers' contents, transfer codings
 * other than chunked, header values other than those that frame a message.
 */
#ifndef WAITLESS_HTTP_H
#define WAITLESS_HTTP_H

#include <stddef.h>
#include "url.h"

#define HTTP_HEAD_MAX (64 * 1024)          /* a longer response head is an error */
#define HTTP_BODY_MAX (64 * 1024 * 1024)   /* a larger body is an error */
#define HTTP_REQUEST_HEAD_MAX (8 * 1024)   /* servers answer 431 past this */
#define HTTP_ERR_LEN 256

/* Writes "GET path HTTP/1.0\r\nHost: ...\r\n...\r\n\r\n" into buf.
 * Returns its length, or -1 if buf is too small. */
int http_format_get(char *buf, size_t size, const struct url *u);

/* The GET in HTTP/1.1, without "Connection: close": the connection may
 * carry more requests after it (chapter 15). */
int http_format_get_persistent(char *buf, size_t size, const struct url *u);

/* The same GET in a malloc'd buffer of its own length (*len bytes, no
 * terminating NUL counted), for programs holding thousands at once.
 * NULL with errno (ENOMEM, or ENAMETOOLONG when it would be over 8 KiB). */
char *http_format_get_new(const struct url *u, size_t *len);

enum http_progress { HTTP_ERROR = -1, HTTP_MORE = 0, HTTP_DONE = 1 };

struct http_response {
    int status;                /* 0 until the status line has arrived */
    long long content_length;  /* -1 when the response has none */
    int chunked;               /* Transfer-Encoding: chunked */
    int keep_alive;            /* once the head is in: the connection may carry
                                  another request after this response */
    char *body;                /* malloc'd; the caller may take it (set to NULL) */
    size_t body_len;
    /* private to http.c */
    char *head;
    size_t head_len, body_cap;
    int state;                 /* reading the head, the body, or failed */
    int chunk_state;           /* where in the chunked coding */
    long long chunk_left;      /* data bytes left in this chunk; trailer bytes */
};

void http_response_init(struct http_response *res);

/* Feed the next bytes of the response. HTTP_MORE: keep reading.
 * HTTP_DONE: the body is complete (Content-Length reached); stop reading.
 * HTTP_ERROR: not HTTP, head over HTTP_HEAD_MAX, ...; err says which. */
enum http_progress http_response_feed(struct http_response *res, const char *data,
                                      size_t len, char *err, size_t errlen);

/* The same, for a connection that carries more than one response: *used
 * says how many of the len bytes were this response's (all of them, with
 * HTTP_MORE); on HTTP_DONE the rest belong to the next response. */
enum http_progress http_response_parse(struct http_response *res, const char *data,
                                       size_t len, size_t *used, char *err, size_t errlen);

/* The peer closed the connection. HTTP_DONE when that ends a valid
 * response (no Content-Length: the body runs to EOF), HTTP_ERROR when it
 * came early ("truncated: got 500 of 1000 bytes", "empty response",
 * "connection closed before the response head ended"). */
enum http_progress http_response_eof(struct http_response *res, char *err, size_t errlen);

void http_response_free(struct http_response *res);

/* A parsed request line. */
struct http_request {
    char method[16];
    char path[URL_PATH_MAX + 1];   /* as sent, with its ?query */
    int minor_version;             /* 0 or 1: HTTP/1.x */
    int keep_alive;                /* RFC 9112 9.3: may the connection stay open after? */
};

/* Looks for the end of a request head (a blank line) in buf[0..len).
 * Returns the head's length including the blank line, or 0 if not there yet. */
size_t http_request_head_end(const char *buf, size_t len);

/* Parses a complete request head (as found by http_request_head_end).
 * keep_alive follows RFC 9112 section 9.3: HTTP/1.1 stays open unless a
 * Connection header says "close"; HTTP/1.0 closes unless it says
 * "keep-alive"; a request with a body (Content-Length, Transfer-Encoding)
 * closes, since the servers here never read one.
 * 0, or -1 with err naming what is wrong (the server answers 400). */
int http_request_parse(const char *head, size_t len, struct http_request *req,
                       char *err, size_t errlen);

/* The value of query parameter `name` in path ("/slow?delay=1&bytes=2"),
 * copied into out. 1 when present, 0 when absent, -1 when too long. */
int http_query_param(const char *path, const char *name, char *out, size_t outlen);

#endif
