/* slowserver: the HTTP server every chapter fetches from. It answers
 * slowly on purpose (?delay=S), and badly on request (the fault endpoints),
 * on one thread, with the reactor: delays are timers, never sleep().
 * --backend select|poll|epoll picks the reactor's way of waiting (chapter
 * 12); with epoll it holds 10,000 delayed connections at once.
 * Connections persist as RFC 9112 section 9 says (chapter 15): an HTTP/1.1
 * request keeps it open unless it says "Connection: close", an HTTP/1.0 one
 * closes it unless it says "keep-alive"; pipelined requests are answered in
 * order; an idle one closes after --keepalive-timeout. The fetchers of
 * chapters 01-14 send HTTP/1.0 with "Connection: close": one page, one
 * connection, as before.
 * Left out: request bodies (a request with one is answered, then closed),
 * files, anything but GET.
 *
 *   /slow?delay=S&bytes=N[&chunk=B&every=S]   N bytes after S seconds,
 *                                   optionally trickled B bytes every S s
 *        [&chunked=1]               in chunked transfer coding (HTTP/1.1)
 *        [&stale=1]                 keep the connection, then close it
 *                                   unanswered when the next request comes
 *   /status/CODE        that status       /hang      never answers
 *   /truncate?bytes=N   promises N, sends N/2, closes
 *   /reset              closes with a TCP RST       /garbage   not HTTP
 *   /statusonly         a status line, no headers   /nolength  body to EOF
 *   /bigheaders         a 70 KiB response head
 *   /close              reads the request, closes without a byte
 *   /twice              answers twice (the second answer nobody asked for)
 *   /badchunk           a chunked body whose size line is not hex
 *   /longchunk          a chunk longer than its size line said
 * Every endpoint takes ?delay=S.
 */
#define _GNU_SOURCE   /* accept4: a new socket, non-blocking, in one call */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "http.h"
#include "net.h"
#include "reactor.h"

#define BODY_MAX (1024L * 1024 * 1024)   /* ?bytes= up to 1 GiB, generated */

enum conn_state {
    READING_REQUEST,   /* collecting the request head */
    WAITING,           /* the ?delay= timer runs */
    WRITING,           /* sending head and body, maybe trickled */
    HANGING,           /* /hang: answering never */
    DRAINING,          /* all sent, our side shut: read until the client closes */
};

struct conn {
    int fd;
    struct server *server;
    struct conn *prev, *next;        /* the server's list, to free at exit */
    enum conn_state state;
    char *request;                   /* the head so far, malloc'd and grown */
    size_t request_len, request_cap; /* as it comes, up to 8 KiB: not 8 KiB each */
    struct timer timer;              /* head deadline, delay, or trickle */
    char *head;                      /* the response head, malloc'd */
    size_t head_len, head_sent;
    size_t body_len, body_sent;      /* body bytes to send (the pattern) */
    size_t chunk, allowed;           /* trickling: bytes per tick, may send now */
    double every;                    /* trickling: seconds between ticks */
    int reset;                       /* close with RST instead of answering */
    size_t current_len;              /* the request being answered: its head's length */
    size_t scanned;                  /* request bytes known to hold no head's end */
    int minor;                       /* HTTP/1.<minor> of that request: we answer in it */
    int keep;                        /* the connection stays open after this answer */
    int chunked;                     /* the body goes in chunks of chunk_size */
    size_t chunk_size, data_len;     /* chunked: data per chunk, in all (body_len: wire) */
    size_t tick;                     /* trickling: wire bytes allowed per tick */
    int stale;                       /* &stale=1: drop the next request unanswered */
    int idle;                        /* waiting for a next request: the idle timer runs */
    int nodelay;                     /* TCP_NODELAY is set (on a kept connection) */
    long requests;                   /* how many it has carried */
    int events;                      /* what conn_watch was last asked for */
};

struct server {
    struct reactor *reactor;
    int listen_fd;
    int signal_pipe[2];              /* the signal handler writes, the loop reads */
    double head_timeout;             /* a request head must arrive within this */
    double keepalive_timeout;        /* an idle kept connection closes after this */
    long max_requests;               /* requests per connection, 0: no limit */
    int verbose;
    struct conn *conns;
    long n_conns, n_refused;
    struct timer accept_retry;       /* out of fds: accept again later */
};

static int signal_write_fd = -1;

static void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_msg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("slowserver: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* ---- connections: create, free ------------------------------------ */

static void conn_free(struct conn *c)
{
    struct server *s = c->server;
    reactor_unwatch(s->reactor, c->fd);
    reactor_cancel(s->reactor, &c->timer);
    if (c->reset) {
        /* SO_LINGER with a zero timeout turns close() into a TCP RST. */
        struct linger hard = { 1, 0 };
        if (setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard) < 0)
            log_msg("setsockopt SO_LINGER fd %d: %s", c->fd, strerror(errno));
    }
    if (close(c->fd) < 0)
        log_msg("close fd %d: %s", c->fd, strerror(errno));
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    s->n_conns--;
    free(c->request);
    free(c->head);
    free(c);
}

static void on_conn_io(struct reactor *r, int fd, int events, void *arg);

/* While an answer is due on a kept connection, what the client sends next
 * is kept for later: requests pipelined behind the one being answered. */
static int pipelining(const struct conn *c)
{
    return c->keep && (c->state == WAITING || c->state == WRITING);
}

/* Watches c for events; but while an answer is due and the request buffer
 * is full of the pipelined requests that follow it, not for reading: they
 * are read after the answer (the client's sends wait: back pressure). */
static int conn_watch(struct conn *c, int events)
{
    c->events = events;
    if (pipelining(c) && c->request_len == HTTP_REQUEST_HEAD_MAX)
        events &= ~REACTOR_READ;
    if (events != 0)
        return reactor_watch(c->server->reactor, c->fd, events, on_conn_io, c);
    reactor_unwatch(c->server->reactor, c->fd);
    return 0;
}

static void on_head_timeout(struct reactor *r, void *arg);
static int read_some(struct conn *c);

static void conn_new(struct server *s, int fd)
{
    struct conn *c = calloc(1, sizeof *c);
    if (c == NULL) {
        log_msg("fd %d: out of memory, closing", fd);
        net_close(fd);
        return;
    }
    c->fd = fd;
    c->server = s;
    if (reactor_watch(s->reactor, fd, REACTOR_READ, on_conn_io, c) < 0) {
        /* ERANGE: the select backend cannot hold this fd (>= FD_SETSIZE). */
        if (s->n_refused++ == 0)   /* once: 9,000 more lines would say nothing new */
            log_msg("refusing connection on fd %d: %s (counted from now on, not logged)", fd,
                    errno == ERANGE ? "over FD_SETSIZE for select" : strerror(errno));
        net_close(fd);
        free(c);
        return;
    }
    int armed = reactor_call_later(s->reactor, &c->timer, s->head_timeout, on_head_timeout, c);
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    s->n_conns++;
    if (armed < 0) {
        log_msg("fd %d: no timer: %s", fd, strerror(errno));
        conn_free(c);
        return;
    }
    read_some(c);   /* the request is in already (TCP_DEFER_ACCEPT): no wait for it */
}

static void on_head_timeout(struct reactor *r, void *arg)
{
    struct conn *c = arg;
    (void)r;
    if (c->server->verbose)
        log_msg("fd %d: no complete request within %.1f s, closing", c->fd,
                c->server->head_timeout);
    conn_free(c);
}

/* ---- the response: head, then body bytes of a checkable pattern ---- */

/* Body byte i belongs to 64-byte line i/64, which starts with its number,
 * so a lost or repeated piece shows up in a diff. */
static size_t fill_body(char *out, size_t offset, size_t len)
{
    static const char pattern[] =
        "0000000 waitless slow body: the quick brown fox jumps over it  \n";
    _Static_assert(sizeof pattern == 64 + 1, "a body line is 64 bytes");
    char line[64];
    size_t done = 0;
    while (done < len) {
        size_t number = (offset + done) / 64, column = (offset + done) % 64;
        memcpy(line, pattern, 64);
        for (int digit = 6; digit >= 0; digit--, number /= 10)   /* "%07zu", by hand: */
            line[digit] = (char)('0' + number % 10);             /* a 1 GiB body is */
        size_t n = 64 - column < len - done ? 64 - column : len - done;   /* 16 M lines */
        memcpy(out + done, line + column, n);
        done += n;
    }
    return done;
}

/* Chunked transfer coding (RFC 9112 7.1): the body goes as chunks of
 * chunk_size bytes, each "SIZE-IN-HEX\r\n" DATA "\r\n", then "0\r\n\r\n".
 * What goes on the wire is a function of the offset, like the body, so
 * sending keeps its two counters. */
static size_t chunk_wire_len(size_t data)
{
    char hex[32];
    return (size_t)snprintf(hex, sizeof hex, "%zx", data) + 2 + data + 2;
}

static size_t chunked_len(size_t body, size_t chunk)
{
    size_t rest = body % chunk;
    return body / chunk * chunk_wire_len(chunk) + (rest ? chunk_wire_len(rest) : 0) + 5;
}

/* Wire bytes [offset, offset + len) of a chunked body; returns how many. */
static size_t fill_chunked(const struct conn *c, char *out, size_t offset, size_t len)
{
    size_t k = c->chunk_size, n_full = c->data_len / k, rest = c->data_len % k;
    size_t full_end = n_full * chunk_wire_len(k);
    size_t rest_end = full_end + (rest ? chunk_wire_len(rest) : 0);
    size_t done = 0;
    while (done < len) {
        size_t at = offset + done, index, base, size;
        if (at < full_end) {                     /* a whole chunk */
            index = at / chunk_wire_len(k);
            base = index * chunk_wire_len(k);
            size = k;
        } else {                                 /* the short last one, or the end */
            index = n_full;
            base = at < rest_end ? full_end : rest_end;
            size = at < rest_end ? rest : 0;
        }
        char hex[32];
        size_t pos = at - base, n;
        int hex_len = size > 0 ? snprintf(hex, sizeof hex, "%zx\r\n", size) : 0;
        if (size == 0) {                         /* "0\r\n\r\n" */
            n = 5 - pos < len - done ? 5 - pos : len - done;
            memcpy(out + done, &"0\r\n\r\n"[pos], n);
        } else if (pos < (size_t)hex_len) {
            n = (size_t)hex_len - pos < len - done ? (size_t)hex_len - pos : len - done;
            memcpy(out + done, hex + pos, n);
        } else if (pos < (size_t)hex_len + size) {
            size_t in = pos - (size_t)hex_len;
            n = fill_body(out + done, index * k + in, size - in < len - done ? size - in : len - done);
        } else {
            size_t in = pos - (size_t)hex_len - size;
            n = 2 - in < len - done ? 2 - in : len - done;
            memcpy(out + done, &"\r\n"[in], n);
        }
        done += n;
    }
    return done;
}

/* Prepares the response head; a short text body may ride along in it.
 * Without a length (content_length -1, not chunked) the body ends when the
 * connection does, so it cannot be kept. */
static int set_head(struct conn *c, int status, const char *reason,
                    long long content_length, const char *extra, const char *text)
{
    char length[64] = "", connection[96] = "Connection: close\r\n";
    if (content_length >= 0)
        snprintf(length, sizeof length, "Content-Length: %lld\r\n", content_length);
    else if (c->chunked)
        snprintf(length, sizeof length, "Transfer-Encoding: chunked\r\n");
    else
        c->keep = 0;
    if (c->keep)   /* Keep-Alive is a hint (undici reads it): when we will close it */
        snprintf(connection, sizeof connection,
                 "Connection: keep-alive\r\nKeep-Alive: timeout=%g\r\n",
                 c->server->keepalive_timeout);
    size_t size = strlen(extra) + strlen(text) + 320;
    c->head = malloc(size);
    if (c->head == NULL)
        return -1;
    int n = snprintf(c->head, size,
                     "HTTP/1.%d %d %s\r\nServer: waitless-slowserver\r\n"
                     "Content-Type: text/plain\r\n%s%s%s\r\n%s",
                     c->minor, status, reason, connection, length, extra, text);
    if (n < 0 || (size_t)n >= size) {   /* cut short: never send past the buffer */
        free(c->head);
        c->head = NULL;
        return -1;
    }
    c->head_len = (size_t)n;
    return 0;
}

/* A complete short answer: status line, headers and a one-line body. */
static int set_text(struct conn *c, int status, const char *reason, const char *text)
{
    return set_head(c, status, reason, (long long)strlen(text), "", text);
}

/* ?name=value as a number in [min, max] (a whole one when `whole`).
 * Absent: `fallback`. Bad: -1 with the reason in why. */
static int param(const char *path, const char *name, double fallback, double min,
                 double max, int whole, double *out, char *why, size_t whylen)
{
    char text[32], *end;
    int found = http_query_param(path, name, text, sizeof text);
    *out = fallback;
    if (found == 0)
        return 0;
    double v = found < 0 ? NAN : strtod(text, &end);
    if (found < 0 || end == text || *end != '\0' || !(v >= min && v <= max)
        || (whole && v != floor(v))) {
        snprintf(why, whylen, "%s must be a %s from %g to %g\n", name,
                 whole ? "whole number" : "number", min, max);
        return -1;
    }
    *out = v;
    return 0;
}

/* The parameters every endpoint takes. */
struct params {
    double delay, bytes, chunk, every, chunked, stale;
};

static int read_params(const char *path, struct params *p, char *why, size_t len)
{
    if (param(path, "delay", 0, 0, 3600, 0, &p->delay, why, len) < 0
        || param(path, "bytes", 1024, 0, (double)BODY_MAX, 1, &p->bytes, why, len) < 0
        || param(path, "chunk", 0, 1, (double)BODY_MAX, 1, &p->chunk, why, len) < 0
        || param(path, "every", 0.1, 0, 60, 0, &p->every, why, len) < 0
        || param(path, "chunked", 0, 0, 1, 1, &p->chunked, why, len) < 0
        || param(path, "stale", 0, 0, 1, 1, &p->stale, why, len) < 0)
        return -1;
    return 0;
}

/* /slow: N bytes of the pattern, maybe trickled, maybe chunked (only to
 * HTTP/1.1: RFC 9112 7.1 forbids chunks to a 1.0 client). */
static int route_slow(struct conn *c, const struct params *p)
{
    c->body_len = (size_t)p->bytes;
    c->chunk = c->tick = (size_t)p->chunk;
    c->every = p->every;
    c->stale = p->stale != 0;
    if (p->chunked == 0 || c->minor == 0)
        return set_head(c, 200, "OK", (long long)c->body_len, "", "");
    c->chunked = 1;
    c->chunk_size = c->chunk ? c->chunk : 4096;   /* one chunk a trickle tick */
    c->data_len = c->body_len;
    c->body_len = chunked_len(c->data_len, c->chunk_size);
    if (c->chunk)
        c->tick = chunk_wire_len(c->chunk_size);
    return set_head(c, 200, "OK", -1, "", "");
}

/* Answers that break the framing of a kept connection, sent as they are. */
static const struct {
    const char *name, *answer;
} broken[] = {
    { "/close", "" },
    { "/twice", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nonce\n"
                "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\ntwice\n" },
    { "/badchunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "zz\r\nabc\r\n0\r\n\r\n" },
    { "/longchunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "3\r\nabcdef\r\n0\r\n\r\n" },
};

/* Sets up the answer to a parsed request. Returns the status's class of
 * behaviour: 0 answer (after p->delay), 1 hang. -1: out of memory. */
static int route(struct conn *c, const char *path, struct params *p)
{
    char why[160], name[32] = "";
    size_t name_len = strcspn(path, "?");
    if (read_params(path, p, why, sizeof why) < 0)
        return set_text(c, 400, "Bad Request", why);
    if (name_len < sizeof name)
        memcpy(name, path, name_len);   /* the endpoint, without its ?query */
    if (strcmp(name, "/slow") == 0 || strcmp(name, "/") == 0)
        return route_slow(c, p);
    if (strcmp(name, "/truncate") == 0) {
        c->keep = 0;
        c->body_len = (size_t)p->bytes / 2;
        return set_head(c, 200, "OK", (long long)p->bytes, "", "");
    }
    if (strcmp(name, "/nolength") == 0) {
        c->body_len = (size_t)p->bytes;
        return set_head(c, 200, "OK", -1, "", "");
    }
    if (strcmp(name, "/hang") == 0)
        return 1;
    c->keep = c->keep && strcmp(name, "/garbage") != 0 && strcmp(name, "/statusonly") != 0;
    if (strcmp(name, "/reset") == 0) {
        c->reset = 1;
        return 0;
    }
    if (strcmp(name, "/garbage") == 0) {
        c->head = strdup("SSH-2.0-OpenSSH_9.2 this is not an HTTP response\r\n\r\n");
        c->head_len = c->head ? strlen(c->head) : 0;
        return c->head ? 0 : -1;
    }
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++)
        if (strcmp(name, broken[i].name) == 0) {
            c->keep = 0;                       /* whatever the answer says */
            c->head = strdup(broken[i].answer);
            c->head_len = c->head ? strlen(c->head) : 0;
            return c->head ? 0 : -1;
        }
    if (strcmp(name, "/statusonly") == 0) {
        c->head = strdup("HTTP/1.0 200 OK\r\n\r\nno headers at all\n");
        c->head_len = c->head ? strlen(c->head) : 0;
        return c->head ? 0 : -1;
    }
    if (strcmp(name, "/bigheaders") == 0) {
        char *extra = malloc(70 * 1024 + 1), *at = extra;
        if (extra == NULL)
            return -1;
        for (int i = 0; i < 70 * 1024 / 64; i++)   /* 1120 lines of 64 bytes */
            at += sprintf(at, "X-Filler-%04d: %-46.46s\r\n", i, "padding to make the head huge");
        int rc = set_head(c, 200, "OK", 3, extra, "ok\n");
        free(extra);
        return rc;
    }
    int code = 0;
    if (strncmp(name, "/status/", 8) == 0 && strspn(name + 8, "0123456789") == 3
        && name[11] == '\0' && (code = atoi(name + 8)) >= 100 && code <= 599) {
        snprintf(why, sizeof why, "status %d as asked\n", code);
        return set_text(c, code, code < 400 ? "As Asked" : "Failing As Asked", why);
    }
    return set_text(c, 404, "Not Found", "no such endpoint: try /slow?delay=1\n");
}

/* ---- sending ------------------------------------------------------- */

static void on_drain_timeout(struct reactor *r, void *arg)
{
    struct conn *c = arg;
    (void)r;
    conn_free(c);
}

static int next_request(struct conn *c);

/* Everything is sent. On a kept connection, the next request. Else shut
 * our side and read until the client closes, so that unread request bytes
 * do not turn close() into a RST that could destroy the answer in flight
 * (Apache's "lingering close"). */
static int finish(struct conn *c)
{
    struct reactor *r = c->server->reactor;
    if (c->keep)
        return next_request(c);
    c->state = DRAINING;
    if (shutdown(c->fd, SHUT_WR) < 0
        || reactor_call_later(r, &c->timer, 2.0, on_drain_timeout, c) < 0
        || conn_watch(c, REACTOR_READ) < 0) {
        conn_free(c);
        return -1;
    }
    return 0;
}

static void on_trickle(struct reactor *r, void *arg)
{
    struct conn *c = arg;
    c->allowed += c->tick;
    (void)r;
    if (conn_watch(c, REACTOR_READ | REACTOR_WRITE) < 0)
        conn_free(c);
}

/* How many body bytes may go out now: all, or up to the trickle allowance
 * (the last chunk's tick takes the chunked body's "0\r\n\r\n" along). */
static size_t sendable(const struct conn *c)
{
    if (c->tick == 0 || c->allowed + (c->chunked ? 5 : 0) >= c->body_len)
        return c->body_len;
    return c->allowed;
}

static size_t fill_wire(const struct conn *c, char *out, size_t offset, size_t len)
{
    return c->chunked ? fill_chunked(c, out, offset, len) : fill_body(out, offset, len);
}

/* Sends as much as the socket takes. 0: keep going, -1: conn is gone. */
static int write_some(struct conn *c)
{
    char buf[16 * 1024];
    while (c->head_sent < c->head_len || c->body_sent < sendable(c)) {
        struct iovec iov[2];                   /* what is left of the head, */
        int n_iov = 0;                         /* then body bytes: one call */
        if (c->head_sent < c->head_len)
            iov[n_iov++] = (struct iovec){ c->head + c->head_sent, c->head_len - c->head_sent };
        size_t body = sendable(c) - c->body_sent;
        if (body > 0)
            iov[n_iov++] = (struct iovec){ buf, fill_wire(c, buf, c->body_sent, body < sizeof buf
                                                                               ? body : sizeof buf) };
        int flags = MSG_NOSIGNAL;
#ifdef MSG_MORE
        /* The last bytes of the answer wait for our FIN (finish() shuts
         * down next), so that they leave in one packet. A trickle's tick
         * goes at once: the next one is seconds away; so does the end of
         * an answer on a kept connection: no FIN follows it. */
        if (!c->keep && c->body_sent + (body > 0 ? iov[n_iov - 1].iov_len : 0) == c->body_len)
            flags |= MSG_MORE;
#endif
        struct msghdr msg = { .msg_iov = iov, .msg_iovlen = (size_t)n_iov };
        ssize_t n = sendmsg(c->fd, &msg, flags);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return 0;                          /* the socket is full: wait */
        if (n < 0) {                           /* EPIPE, ECONNRESET: client gone */
            if (c->server->verbose)
                log_msg("send fd %d: %s", c->fd, strerror(errno));
            conn_free(c);
            return -1;
        }
        size_t of_head = c->head_len - c->head_sent < (size_t)n ? c->head_len - c->head_sent
                                                                 : (size_t)n;
        c->head_sent += of_head;
        c->body_sent += (size_t)n - of_head;
    }
    return 0;
}

/* Returns -1 when c is gone (freed), as do the functions below. */
static int send_more(struct conn *c)
{
    struct reactor *r = c->server->reactor;
    if (write_some(c) < 0)
        return -1;
    if (c->head_sent < c->head_len || c->body_sent < sendable(c))
        return 0;                              /* socket full, still watched */
    if (c->body_sent == c->body_len)
        return finish(c);
    /* Trickling: this tick's bytes are out; wait for the next tick. */
    if (reactor_call_later(r, &c->timer, c->every, on_trickle, c) < 0
        || conn_watch(c, REACTOR_READ) < 0) {
        conn_free(c);
        return -1;
    }
    return 0;
}

static int start_answer(struct conn *c)
{
    c->state = WRITING;
    c->allowed = c->tick;
    if (c->reset) {
        conn_free(c);                          /* /reset: closes with RST */
        return -1;
    }
    /* Try at once: a fresh socket almost always takes the whole answer,
     * which spares a pass of the loop (and two epoll_ctl) per connection. */
    if (send_more(c) < 0)
        return -1;
    if (c->state != WRITING || reactor_pending(&c->timer))
        return 0;                              /* all sent, or trickling */
    if (conn_watch(c, REACTOR_READ | REACTOR_WRITE) < 0) {   /* the socket is full: wait */
        conn_free(c);
        return -1;
    }
    return 0;
}

static void on_delay_done(struct reactor *r, void *arg)
{
    struct conn *c = arg;
    (void)r;
    start_answer(c);
}

/* ---- receiving ----------------------------------------------------- */

/* Logs the request line as sent, its control characters as '?': a client
 * must not be able to write escape sequences to the operator's terminal. */
static void log_request_line(const struct conn *c)
{
    char line[128];
    size_t n = 0;
    while (n < sizeof line - 1 && n < c->request_len && c->request[n] != '\r'
           && c->request[n] != '\n') {
        unsigned char byte = (unsigned char)c->request[n];
        line[n++] = byte < 0x20 || byte == 0x7f ? '?' : (char)byte;
    }
    line[n] = '\0';
    log_msg("fd %d: %s", c->fd, line);
}

/* The request's version and whether the connection stays after the
 * answer (RFC 9112 9.3, and our --max-requests). A kept connection sends
 * its answers at once (TCP_NODELAY): a pipelined answer must not wait for
 * the client to acknowledge the one before it. */
static void decide_keep(struct conn *c, const struct http_request *req)
{
    struct server *s = c->server;
    c->minor = req->minor_version >= 1;
    c->keep = req->keep_alive && (s->max_requests == 0 || c->requests < s->max_requests);
    int on = 1;
    if (c->keep && !c->nodelay
        && setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) < 0)
        log_msg("setsockopt TCP_NODELAY fd %d: %s", c->fd, strerror(errno));
    c->nodelay |= c->keep;
}

static int handle_request(struct conn *c, size_t head_len)
{
    struct reactor *r = c->server->reactor;
    struct http_request req;
    struct params p = { 0 };
    char why[HTTP_ERR_LEN + 1];
    int behaviour;
    reactor_cancel(r, &c->timer);
    c->current_len = head_len;
    c->requests++;
    if (http_request_parse(c->request, head_len, &req, why, sizeof why - 1) < 0) {
        strcat(why, "\n");
        c->keep = c->minor = 0;                /* where would the next one start? */
        behaviour = set_text(c, 400, "Bad Request", why);
    } else if (decide_keep(c, &req), strcmp(req.method, "GET") != 0) {
        behaviour = set_text(c, 405, "Method Not Allowed", "only GET is served here\n");
    } else {
        behaviour = route(c, req.path, &p);
    }
    if (c->server->verbose)
        log_request_line(c);
    if (behaviour == 1) {
        c->state = HANGING;                    /* still watched for reading */
        return 0;
    }
    if (behaviour == 0 && p.delay == 0)
        return start_answer(c);
    c->state = WAITING;
    if (behaviour < 0 || reactor_call_later(r, &c->timer, p.delay, on_delay_done, c) < 0) {
        log_msg("fd %d: out of memory", c->fd);
        conn_free(c);
        return -1;
    }
    return 0;
}

/* Makes room for more of the request head: 512 bytes, then twice as many,
 * up to HTTP_REQUEST_HEAD_MAX. Most heads fit in the first 512. */
static int grow_request(struct conn *c)
{
    size_t cap = c->request_cap ? 2 * c->request_cap : 512;
    char *bigger = realloc(c->request, cap < HTTP_REQUEST_HEAD_MAX ? cap : HTTP_REQUEST_HEAD_MAX);
    if (bigger == NULL)
        return -1;
    c->request = bigger;
    c->request_cap = cap < HTTP_REQUEST_HEAD_MAX ? cap : HTTP_REQUEST_HEAD_MAX;
    return 0;
}

/* Bytes of a request have come: answer it once its head is complete
 * (looking only at what was not looked at before). -1 when c is gone. */
static int take_request(struct conn *c)
{
    size_t scanned = c->scanned > 3 ? c->scanned - 3 : 0;
    if (c->stale) {   /* &stale=1: as if our idle timeout fired just as it was sent */
        if (c->server->verbose)
            log_msg("fd %d: stale=1: closing with the next request unanswered", c->fd);
        c->keep = 0;
        return finish(c);                      /* a FIN the client reads as EOF */
    }
    size_t head_len = http_request_head_end(c->request + scanned, c->request_len - scanned);
    if (head_len > 0)
        return handle_request(c, scanned + head_len);
    c->scanned = c->request_len;
    if (c->request_len < HTTP_REQUEST_HEAD_MAX)
        return 0;                              /* not all there yet */
    reactor_cancel(c->server->reactor, &c->timer);
    c->keep = 0;
    if (set_text(c, 431, "Request Header Fields Too Large", "request head over 8 KiB\n") < 0) {
        conn_free(c);
        return -1;
    }
    return start_answer(c);
}

static void on_idle_timeout(struct reactor *r, void *arg)
{
    struct conn *c = arg;
    (void)r;
    if (c->server->verbose)
        log_msg("fd %d: idle for %g s after %ld requests, closing", c->fd,
                c->server->keepalive_timeout, c->requests);
    conn_free(c);
}

/* A pipelined request was here when the answer before it ended. */
static void on_pipelined(struct reactor *r, void *arg)
{
    struct conn *c = arg;
    if (reactor_call_later(r, &c->timer, c->server->head_timeout, on_head_timeout, c) < 0) {
        conn_free(c);
        return;
    }
    take_request(c);
}

/* The answer is out and the connection stays: drop the request, and start
 * on the next. One that is here already (pipelined) waits a pass of the
 * loop: a long pipeline is answered in turn, not by recursion. */
static int next_request(struct conn *c)
{
    struct reactor *r = c->server->reactor;
    free(c->head);
    c->head = NULL;
    c->head_len = c->head_sent = c->body_len = c->body_sent = 0;
    c->chunk = c->tick = c->allowed = c->data_len = 0;
    c->chunked = 0;
    c->request_len -= c->current_len;
    memmove(c->request, c->request + c->current_len, c->request_len);
    c->current_len = c->scanned = 0;
    c->state = READING_REQUEST;
    c->idle = c->request_len == 0;
    int armed = c->idle ? reactor_call_later(r, &c->timer, c->server->keepalive_timeout,
                                             on_idle_timeout, c)
                        : reactor_call_soon(r, &c->timer, on_pipelined, c);
    if (armed < 0 || conn_watch(c, REACTOR_READ) < 0) {
        conn_free(c);
        return -1;
    }
    return 0;
}

/* Reads what the client sent: the request, and the requests pipelined
 * after it, which wait in c->request. Returns -1 when c is gone. */
static int read_some(struct conn *c)
{
    char discard[4096];
    char *into = discard;
    size_t room = sizeof discard;
    int keeps = c->state == READING_REQUEST || pipelining(c);
    if (keeps) {
        if (c->request_len == c->request_cap && c->request_cap < HTTP_REQUEST_HEAD_MAX
            && grow_request(c) < 0) {
            log_msg("fd %d: out of memory", c->fd);
            conn_free(c);
            return -1;
        }
        into = c->request + c->request_len;
        room = c->request_cap - c->request_len;
    }
    size_t n;
    enum net_nb got = room > 0 ? net_read_nb(c->fd, into, room, &n) : NET_AGAIN;
    if (got == NET_AGAIN)
        return 0;
    if (got != NET_DATA) {   /* the client closed or reset: whatever we were doing ends */
        if (got == NET_ERROR && c->server->verbose)
            log_msg("read fd %d: %s", c->fd, strerror(errno));
        conn_free(c);
        return -1;
    }
    c->request_len += keeps ? n : 0;
    if (c->state != READING_REQUEST)           /* pipelined: for later */
        return c->request_len == HTTP_REQUEST_HEAD_MAX ? conn_watch(c, c->events) : 0;
    if (c->idle && reactor_call_later(c->server->reactor, &c->timer, c->server->head_timeout,
                                      on_head_timeout, c) < 0) {
        conn_free(c);
        return -1;
    }
    c->idle = 0;
    return take_request(c);
}

static void on_conn_io(struct reactor *r, int fd, int events, void *arg)
{
    struct conn *c = arg;
    (void)r;
    (void)fd;
    if ((events & REACTOR_WRITE) && c->state == WRITING && send_more(c) < 0)
        return;
    if (events & REACTOR_READ)
        read_some(c);
}

/* ---- accepting ----------------------------------------------------- */

static void on_listen_ready(struct reactor *r, int fd, int events, void *arg);

static void on_accept_retry(struct reactor *r, void *arg)
{
    struct server *s = arg;
    if (reactor_watch(r, s->listen_fd, REACTOR_READ, on_listen_ready, s) < 0)
        log_msg("watch listening fd %d: %s", s->listen_fd, strerror(errno));
}

static void on_listen_ready(struct reactor *r, int fd, int events, void *arg)
{
    struct server *s = arg;
    (void)events;
    for (;;) {   /* take every waiting connection: one readiness, many clients */
        int client = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (client >= 0) {
            conn_new(s, client);
            continue;
        }
        if (errno == EINTR || errno == ECONNABORTED)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return;
        /* Out of fds (EMFILE): the listening socket stays readable, and
         * watching it now would spin. Look away for 100 ms instead. */
        log_msg("accept on fd %d: %s (pausing accepts for 0.1 s)", fd, strerror(errno));
        reactor_unwatch(r, fd);
        if (reactor_call_later(r, &s->accept_retry, 0.1, on_accept_retry, s) < 0)
            reactor_stop(r);
        return;
    }
}

/* ---- stopping on SIGINT/SIGTERM: the self-pipe trick ---------------- */

static void on_signal(int signo)
{
    int saved = errno;
    unsigned char byte = (unsigned char)signo;
    if (write(signal_write_fd, &byte, 1) < 0) {
        /* the pipe is full: a stop is already on its way */
    }
    errno = saved;
}

static void on_signal_pipe(struct reactor *r, int fd, int events, void *arg)
{
    (void)fd;
    (void)events;
    (void)arg;
    reactor_stop(r);
}

static int catch_signals(struct server *s)
{
    struct sigaction sa = { 0 };
    if (pipe(s->signal_pipe) < 0)
        return -1;
    signal_write_fd = s->signal_pipe[1];
    for (int i = 0; i < 2; i++)
        if (fcntl(s->signal_pipe[i], F_SETFD, FD_CLOEXEC) < 0
            || net_set_nonblocking(s->signal_pipe[i]) < 0)
            return -1;
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0)
        return -1;
    sa.sa_handler = SIG_IGN;   /* a client that vanishes must not kill us */
    if (sigaction(SIGPIPE, &sa, NULL) < 0)
        return -1;
    return reactor_watch(s->reactor, s->signal_pipe[0], REACTOR_READ, on_signal_pipe, s);
}

/* ---- main ---------------------------------------------------------- */

static void usage(FILE *out)
{
    fprintf(out,
        "usage: slowserver [--host ADDR] [--port N] [--head-timeout S]\n"
        "                  [--keepalive-timeout S] [--max-requests N]\n"
        "                  [--backend select|poll|epoll] [--verbose]\n"
        "An HTTP/1.1 server that answers slowly, for the waitless fetchers.\n"
        "  --host ADDR        address to listen on (default 127.0.0.1; ::1 for IPv6)\n"
        "  --port N           port, 0 = any free one (default 0)\n"
        "  --head-timeout S   close clients whose request head takes longer (default 10)\n"
        "  --keepalive-timeout S  close a kept connection idle that long (default 5)\n"
        "  --max-requests N   answers per connection, the last with Connection: close\n"
        "                     (default 1000; 0: no limit)\n"
        "  --backend NAME     how the reactor waits: select, poll or epoll\n"
        "                     (default: $WAITLESS_BACKEND, else select)\n"
        "  --verbose          log every request to stderr\n"
        "Prints 'listening on http://ADDR:PORT' once it accepts. Stops on SIGINT/SIGTERM.\n"
        "Endpoints: /slow?delay=S&bytes=N[&chunk=B&every=S][&chunked=1][&stale=1],\n"
        "  /status/CODE, /hang,\n"
        "  /truncate?bytes=N, /reset, /garbage, /statusonly, /nolength, /bigheaders,\n"
        "  /close, /twice, /badchunk, /longchunk;\n"
        "  every endpoint takes ?delay=S.\n");
}

static int usage_error(const char *fmt, const char *arg)
{
    fputs("slowserver: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'slowserver --help'.\n", stderr);
    return 2;
}

struct options {
    const char *host;
    int port;
    double head_timeout, keepalive_timeout;
    long max_requests;
    const char *backend;             /* NULL: reactor_new() decides */
    int verbose;
};

static int parse_options(int argc, char **argv, struct options *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        char *end;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(a, "--verbose") == 0) {
            o->verbose = 1;
            continue;
        }
        if (strcmp(a, "--host") != 0 && strcmp(a, "--port") != 0
            && strcmp(a, "--head-timeout") != 0 && strcmp(a, "--backend") != 0
            && strcmp(a, "--keepalive-timeout") != 0 && strcmp(a, "--max-requests") != 0)
            return usage_error("unknown option '%s'", a);
        if (i + 1 >= argc)
            return usage_error("%s needs a value", a);
        const char *v = argv[++i];
        if (strcmp(a, "--host") == 0) {
            o->host = v;
        } else if (strcmp(a, "--backend") == 0) {
            if (strcmp(v, "select") != 0 && strcmp(v, "poll") != 0 && strcmp(v, "epoll") != 0)
                return usage_error("--backend must be " REACTOR_BACKENDS ", not '%s'", v);
            o->backend = v;
        } else if (strcmp(a, "--port") == 0) {
            long port = strtol(v, &end, 10);
            if (*v == '\0' || *end != '\0' || port < 0 || port > 65535)
                return usage_error("--port must be a number from 0 to 65535, not '%s'", v);
            o->port = (int)port;
        } else if (strcmp(a, "--max-requests") == 0) {
            o->max_requests = strtol(v, &end, 10);
            if (*v == '\0' || *end != '\0' || o->max_requests < 0 || o->max_requests > 1000000000)
                return usage_error("--max-requests must be a number from 0 to 1000000000, not '%s'", v);
        } else {                               /* the two timeouts: seconds */
            double *to = a[2] == 'h' ? &o->head_timeout : &o->keepalive_timeout;
            *to = strtod(v, &end);
            if (*v == '\0' || *end != '\0' || !(*to > 0 && *to <= 3600))
                return usage_error(a[2] == 'h' ? "--head-timeout must be seconds in (0, 3600], not '%s'"
                                   : "--keepalive-timeout must be seconds in (0, 3600], not '%s'", v);
        }
    }
    return -1;
}

static int serve(struct server *s, const struct options *o)
{
    char err[NET_ERR_LEN];
    int port;
    s->listen_fd = net_listen(o->host, o->port, &port, err, sizeof err);
    if (s->listen_fd < 0) {
        log_msg("%s", err);
        return 1;
    }
    /* Wake us for a connection only once its request has come: one wakeup
     * a client instead of two ("accept me", then "read me"), which at
     * 10,000 connections is a good part of the time they take to set up.
     * A client that sends nothing is accepted after about a second. */
    int defer = 1;
    if (setsockopt(s->listen_fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer, sizeof defer) < 0)
        log_msg("TCP_DEFER_ACCEPT on fd %d: %s (going on without it)", s->listen_fd,
                strerror(errno));
    if (reactor_watch(s->reactor, s->listen_fd, REACTOR_READ, on_listen_ready, s) < 0
        || catch_signals(s) < 0) {
        log_msg("setting up: %s", strerror(errno));
        return 1;
    }
    char where[NET_HOST_PORT_LEN];
    printf("listening on http://%s\n", net_host_port(where, sizeof where, o->host, port));
    if (fflush(stdout) == EOF)
        log_msg("stdout: %s", strerror(errno));
    if (reactor_run(s->reactor) < 0) {
        log_msg("reactor: %s", strerror(errno));
        return 1;
    }
    if (s->verbose || s->n_refused > 0)
        log_msg("stopping: %ld connections open, %ld refused", s->n_conns, s->n_refused);
    return 0;
}

int main(int argc, char **argv)
{
    /* 5 s idle, as Apache httpd's KeepAliveTimeout and Node's
     * server.keepAliveTimeout: longer than the gap between a page's calls,
     * short enough that idle clients do not pile up. 1000 requests, as
     * nginx's keepalive_requests: chapter 15's 10,000 pages over 32
     * connections (313 each) never hit it. */
    struct options o = { "127.0.0.1", 0, 10.0, 5.0, 1000, NULL, 0 };
    int rc = parse_options(argc, argv, &o);
    if (rc >= 0)
        return rc;
    struct server s = { .listen_fd = -1, .signal_pipe = { -1, -1 },
                        .head_timeout = o.head_timeout, .verbose = o.verbose,
                        .keepalive_timeout = o.keepalive_timeout,
                        .max_requests = o.max_requests };
    s.reactor = o.backend ? reactor_new_backend(o.backend) : reactor_new();
    if (s.reactor == NULL) {
        log_msg("reactor_new: %s", strerror(errno));
        return 1;
    }
    /* Every connection is an fd: take all the kernel allows us. */
    long fd_limit = net_raise_fd_limit();
    if (fd_limit < 0)
        log_msg("raising the open-file limit: %s", strerror(errno));
    else if (fd_limit < 10100)
        log_msg("note: the open-file limit is %ld (ulimit -Hn), so at most about"
                " %ld connections at once", fd_limit, fd_limit - 10);
    rc = serve(&s, &o);
    while (s.conns)
        conn_free(s.conns);
    reactor_free(s.reactor);
    for (int i = 0; i < 2; i++)
        if (s.signal_pipe[i] >= 0)
            close(s.signal_pipe[i]);
    if (s.listen_fd >= 0)
        close(s.listen_fd);
    return rc;
}
