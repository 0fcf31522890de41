/* aggregator: the application every server of chapter 11 runs, and the
 * blocking loop (wait for a client, read its request, make the calls,
 * answer) that sync, prefork, threads and offload run 1 or N copies of.
 * Left out: keep-alive, HTTP/1.1, paths other than / (they get 404).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "aggregator.h"
#include "fetch.h"
#include "http.h"
#include "net.h"
#include "timeline.h"
#include "url.h"

#define CALL_TIMEOUT 10.0      /* seconds a backend call may take */
#define REQUEST_TIMEOUT 5.0    /* seconds a client may take to send its request */
#define LINGER_TIMEOUT 2.0     /* seconds we read what a refused client still sends */
#define BACKEND_BYTES 256      /* body size of each backend page */

/* ---- the command line ---------------------------------------------- */

static int usage_error(const char *prog, const char *what, const char *arg)
{
    fprintf(stderr, "%s: %s%s%s\nTry '%s --help'.\n", prog, what, arg ? ": " : "",
            arg ? arg : "", prog);
    return 2;
}

static void usage(const char *prog, const char *about, int flags)
{
    printf("usage: %s --backend-url URL [--host ADDR] [--port N] [--scale F]%s%s\n%s\n"
           "  --backend-url URL  the slow server, e.g. http://127.0.0.1:8000\n"
           "  --host ADDR        address to listen on (default 127.0.0.1; ::1 for IPv6)\n"
           "  --port N           port to listen on, 0 = any free one (default 0)\n"
           "  --scale F          multiply the backend delays by F (default 1)\n",
           prog, flags & AGG_OPT_PROCESSES ? " [--processes N]" : "",
           flags & AGG_OPT_THREADS ? " [--threads N]" : "", about);
    if (flags & AGG_OPT_PROCESSES)
        printf("  --processes N      worker processes (default 4)\n");
    if (flags & AGG_OPT_THREADS)
        printf("  --threads N        threads per process (default %d)\n",
               flags & AGG_OPT_PROCESSES ? 1 : 4);
    printf("GET / makes 4 backend calls of 1/8..4/8 s (times F) and says how long they took.\n"
           "Prints 'listening on http://ADDR:PORT'. Stops on SIGINT/SIGTERM.\n");
}

/* A whole number in [min, max] from text. 0 or -1. */
static int parse_int(const char *text, long min, long max, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || errno != 0 || v < min || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

static int parse_option(const char *prog, const char *name, const char *value,
                        int flags, struct agg_options *o)
{
    char *end;
    if (strcmp(name, "--backend-url") == 0)
        o->backend_url = value;
    else if (strcmp(name, "--host") == 0)
        o->host = value;
    else if (strcmp(name, "--port") == 0) {
        if (parse_int(value, 0, 65535, &o->port) < 0)
            return usage_error(prog, "--port must be a number from 0 to 65535", value);
    } else if (strcmp(name, "--scale") == 0) {
        o->scale = strtod(value, &end);
        if (*value == '\0' || *end != '\0' || !(o->scale >= 0 && o->scale <= 100))
            return usage_error(prog, "--scale must be a number from 0 to 100", value);
    } else if (strcmp(name, "--processes") == 0 && (flags & AGG_OPT_PROCESSES)) {
        if (parse_int(value, 1, 64, &o->processes) < 0)
            return usage_error(prog, "--processes must be a number from 1 to 64", value);
    } else if (strcmp(name, "--threads") == 0 && (flags & AGG_OPT_THREADS)) {
        if (parse_int(value, 1, 256, &o->threads) < 0)
            return usage_error(prog, "--threads must be a number from 1 to 256", value);
    } else
        return usage_error(prog, "unknown option", name);
    return AGG_RUN;
}

int agg_parse_options(int argc, char **argv, const char *about, int flags,
                      struct agg_options *o)
{
    const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    *o = (struct agg_options){ .host = "127.0.0.1", .scale = 1.0, .processes = 4,
                               .threads = (flags & AGG_OPT_PROCESSES) ? 1 : 4 };
    for (int i = 1; i < argc; i += 2) {          /* every option takes a value */
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(prog, about, flags);
            return 0;
        }
        if (i + 1 >= argc)
            return usage_error(prog, strncmp(argv[i], "--", 2) == 0 ? "option needs a value"
                                                                      : "unknown argument",
                               argv[i]);
        int rc = parse_option(prog, argv[i], argv[i + 1], flags, o);
        if (rc != AGG_RUN)
            return rc;
    }
    if (o->backend_url == NULL)
        return usage_error(prog, "--backend-url is required (the slow server's URL)", NULL);
    return AGG_RUN;
}

/* ---- the server: listening socket and stop pipe --------------------- */

static int stop_write_fd = -1;

/* The self-pipe trick, with a twist: nobody ever reads the pipe, so once a
 * signal has written its byte the read end stays readable for every
 * thread and every forked worker that polls it. One byte stops them all. */
static void on_stop_signal(int signo)
{
    int saved = errno;
    unsigned char byte = (unsigned char)signo;
    if (write(stop_write_fd, &byte, 1) < 0) {
        /* the pipe is full: a stop is on its way already */
    }
    errno = saved;
}

void agg_server_stop(struct agg_server *s)
{
    (void)s;
    on_stop_signal(SIGTERM);
}

static int catch_signals(struct agg_server *s)
{
    int pipe_fds[2];
    struct sigaction sa = { 0 };
    if (pipe(pipe_fds) < 0)
        return -1;
    s->stop_fd = pipe_fds[0];
    stop_write_fd = pipe_fds[1];
    if (net_set_nonblocking(pipe_fds[1]) < 0)
        return -1;
    sa.sa_handler = on_stop_signal;   /* no SA_RESTART: let waits see EINTR */
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0)
        return -1;
    sa.sa_handler = SIG_IGN;          /* a client that vanishes must not kill us */
    return sigaction(SIGPIPE, &sa, NULL);
}

/* --backend-url must be http://host[:port][/]: the calls add their paths. */
static int set_backend(struct agg_server *s, const char *text)
{
    struct url u;
    char err[URL_ERR_LEN];
    if (url_parse(text, &u, err, sizeof err) < 0) {
        fprintf(stderr, "%s: --backend-url %s: %s\n", s->name, text, err);
        return -1;
    }
    if (strcmp(u.path, "/") != 0) {
        fprintf(stderr, "%s: --backend-url %s: give http://host:port only\n", s->name, text);
        return -1;
    }
    char where[NET_HOST_PORT_LEN];
    snprintf(s->backend, sizeof s->backend, "http://%s",
             net_host_port(where, sizeof where, u.host, u.port));
    return 0;
}

int agg_server_start(struct agg_server *s, const char *name, const struct agg_options *o)
{
    char err[NET_ERR_LEN];
    char where[NET_HOST_PORT_LEN];
    int port;
    *s = (struct agg_server){ .name = name, .listen_fd = -1, .stop_fd = -1,
                              .scale = o->scale };
    if (set_backend(s, o->backend_url) < 0)
        return -1;
    /* Every client is an fd, and async holds five per request (the
     * client's and four backend calls'): take all the kernel allows. */
    if (net_raise_fd_limit() < 0)
        fprintf(stderr, "%s: raising the open-file limit: %s\n", name, strerror(errno));
    s->listen_fd = net_listen(o->host, o->port, &port, err, sizeof err);
    if (s->listen_fd < 0) {
        fprintf(stderr, "%s: %s\n", name, err);
        return -1;
    }
    if (catch_signals(s) < 0) {
        fprintf(stderr, "%s: setting up signals: %s\n", name, strerror(errno));
        return -1;
    }
    printf("listening on http://%s\n", net_host_port(where, sizeof where, o->host, port));
    if (fflush(stdout) == EOF)
        fprintf(stderr, "%s: stdout: %s\n", name, strerror(errno));
    return 0;
}

void agg_server_close(struct agg_server *s)
{
    net_close(s->listen_fd);
    net_close(s->stop_fd);
    net_close(stop_write_fd);
    s->listen_fd = s->stop_fd = stop_write_fd = -1;
}

/* ---- the application ----------------------------------------------- */

void agg_calls_init(const struct agg_server *s, struct agg_calls *calls)
{
    memset(calls, 0, sizeof *calls);
    for (int i = 0; i < AGG_CALLS; i++) {
        double delay = (i + 1) / 8.0 * s->scale;   /* 1/8, 2/8, 3/8, 4/8 s */
        snprintf(calls->urls[i], sizeof calls->urls[i], "%s/slow?delay=%.4f&bytes=%d",
                 s->backend, delay, BACKEND_BYTES);
        calls->results[i].url = calls->urls[i];
    }
}

void agg_calls_free(struct agg_calls *calls)
{
    for (int i = 0; i < AGG_CALLS; i++) {
        free(calls->results[i].body);
        calls->results[i].body = NULL;
    }
}

size_t agg_format(char *answer, size_t size, int status, const char *reason,
                  const char *body)
{
    int n = snprintf(answer, size,
                     "HTTP/1.0 %d %s\r\nServer: waitless-aggregator\r\n"
                     "Content-Type: text/plain\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n%s",
                     status, reason, strlen(body), body);
    return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

int agg_route(const char *head, size_t head_len, char *answer, size_t size)
{
    struct http_request req;
    char why[HTTP_ERR_LEN + 1];
    if (http_request_parse(head, head_len, &req, why, sizeof why - 1) < 0) {
        strcat(why, "\n");
        agg_format(answer, size, 400, "Bad Request", why);
        return 0;
    }
    if (strcmp(req.method, "GET") != 0) {
        agg_format(answer, size, 405, "Method Not Allowed", "only GET is served here\n");
        return 0;
    }
    if (req.path[strcspn(req.path, "?")] = '\0', strcmp(req.path, "/") != 0) {
        agg_format(answer, size, 404, "Not Found", "the aggregate is at /\n");
        return 0;
    }
    return 1;
}

size_t agg_answer(char *answer, size_t size, const struct agg_calls *calls,
                  double seconds, const char *how)
{
    char body[FETCH_ERR_LEN + 256];
    size_t bytes = 0;
    for (int i = 0; i < AGG_CALLS; i++) {
        const struct fetch_result *r = &calls->results[i];
        if (r->error[0] != '\0' || r->status != 200) {
            snprintf(body, sizeof body, "backend call %d (%s) failed: %s\n", i + 1, r->url,
                     r->error[0] ? r->error : "status was not 200");
            return agg_format(answer, size, 502, "Bad Gateway", body);
        }
        bytes += r->bytes;
    }
    snprintf(body, sizeof body,
             "This call lasted %.3f seconds with %d backend calls (%zu bytes) made %s.\n",
             seconds, AGG_CALLS, bytes, how);
    return agg_format(answer, size, 200, "OK", body);
}

/* ---- the blocking loop --------------------------------------------- */

void agg_call_in_turn(struct agg_server *s, struct agg_calls *calls)
{
    (void)s;
    for (int i = 0; i < AGG_CALLS; i++)
        fetch_blocking(&calls->results[i], CALL_TIMEOUT);   /* waits, each in turn */
}

/* Waits for a client or for the stop. The client's fd, or -1: stop. */
static int next_client(struct agg_server *s)
{
    struct pollfd fds[2] = { { s->stop_fd, POLLIN, 0 }, { s->listen_fd, POLLIN, 0 } };
    for (;;) {
        int n = poll(fds, 2, -1);
        if (n < 0 && errno != EINTR) {
            fprintf(stderr, "%s: poll: %s\n", s->name, strerror(errno));
            return -1;
        }
        if (n > 0 && fds[0].revents != 0)
            return -1;                                /* asked to stop */
        if (n <= 0 || fds[1].revents == 0)
            continue;
        /* Every waiting worker wakes; one wins the accept, the others get
         * EAGAIN (the listening socket is non-blocking) and wait again. */
        int fd = accept(s->listen_fd, NULL, NULL);   /* Linux: fd is blocking */
        if (fd >= 0)
            return fd;
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED)
            continue;
        /* Out of fds (EMFILE): the listening socket stays readable, and
         * polling it again at once would spin. Wait 100 ms for the stop
         * only (a failing poll shows in the next one). */
        fprintf(stderr, "%s: accept: %s (pausing accepts for 0.1 s)\n", s->name,
                strerror(errno));
        (void)poll(fds, 1, 100);
    }
}

/* Reads the request head into buf. Its length; 0 when it is too long;
 * -1 when the client closed, failed or took too long. */
static ssize_t read_request(int fd, char *buf, size_t size)
{
    double deadline = timeline_now() + REQUEST_TIMEOUT;
    size_t len = 0, head_len = 0;
    while (head_len == 0) {
        if (len == size)
            return 0;
        ssize_t n = net_read_some(fd, buf + len, size - len, deadline);
        if (n <= 0)
            return -1;
        len += (size_t)n;
        head_len = http_request_head_end(buf, len);
    }
    return (ssize_t)head_len;
}

/* A refusal is answered before the client has sent everything (the rest
 * of a head over 8 KiB, a body), and close() with bytes unread sends a RST,
 * which can destroy the answer on its way. So shut our side and read until
 * the client closes, LINGER_TIMEOUT at most: a "lingering close" (Apache,
 * nginx). A served GET was read to its end: a plain close() will do, and
 * the worker does not wait for a client that keeps its socket open. */
static void close_lingering(int fd)
{
    char unread[4096];
    double deadline = timeline_now() + LINGER_TIMEOUT;
    if (shutdown(fd, SHUT_WR) == 0)               /* fails if the client is gone */
        while (net_read_some(fd, unread, sizeof unread, deadline) > 0) {
            /* thrown away */
        }
    net_close(fd);
}

/* The answer to a request head of head_len bytes (0: it was too long), in
 * answer: its length. *refused: answered before the request was all read. */
static size_t answer_for(struct agg_server *s, const char *request, ssize_t head_len,
                         char *answer, agg_call_fn *call, int *refused)
{
    struct agg_calls calls;
    *refused = 1;
    if (head_len == 0)
        return agg_format(answer, AGG_ANSWER_MAX, 431, "Request Header Fields Too Large",
                          "request head over 8 KiB\n");
    if (agg_route(request, (size_t)head_len, answer, AGG_ANSWER_MAX) == 0)
        return strlen(answer);                    /* 400, 404, 405 */
    *refused = 0;
    double start = timeline_now();
    agg_calls_init(s, &calls);
    call(s, &calls);                              /* the four backend calls */
    size_t len = agg_answer(answer, AGG_ANSWER_MAX, &calls, timeline_now() - start,
                            call == agg_call_in_turn ? "one after another" : "at once");
    agg_calls_free(&calls);
    return len;
}

static void serve_client(struct agg_server *s, int fd, agg_call_fn *call)
{
    char request[HTTP_REQUEST_HEAD_MAX], answer[AGG_ANSWER_MAX];
    int refused;
    ssize_t head_len = read_request(fd, request, sizeof request);
    if (head_len < 0) {
        net_close(fd);
        return;
    }
    size_t len = answer_for(s, request, head_len, answer, call, &refused);
    if (net_write_all(fd, answer, len, timeline_now() + REQUEST_TIMEOUT) < 0)
        fprintf(stderr, "%s: answering fd %d: %s\n", s->name, fd, strerror(errno));
    if (refused)
        close_lingering(fd);
    else
        net_close(fd);
}

void agg_serve_forever(struct agg_server *s, agg_call_fn *call)
{
    int fd;
    while ((fd = next_client(s)) >= 0)
        serve_client(s, fd, call);
}

struct serve_args {
    struct agg_server *server;
    agg_call_fn *call;
};

static void *serve_thread(void *arg)
{
    struct serve_args *a = arg;
    agg_serve_forever(a->server, a->call);
    return NULL;
}

int agg_serve_in_threads(struct agg_server *s, int n, agg_call_fn *call)
{
    pthread_t threads[256];
    struct serve_args args = { s, call };
    int started = 0, rc = 0;
    if (n > 256)
        n = 256;
    for (; started < n - 1; started++) {          /* this thread is the n-th */
        int err = pthread_create(&threads[started], NULL, serve_thread, &args);
        if (err != 0) {
            fprintf(stderr, "%s: pthread_create: %s\n", s->name, strerror(err));
            agg_server_stop(s);                   /* the ones started stop too */
            rc = -1;
            break;
        }
    }
    if (rc == 0)
        agg_serve_forever(s, call);
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    return rc;
}
