/* net: resolve, connect (with a deadline), listen, read and write, with the
 * one EINTR/EAGAIN policy of waitless written down here, once: blocking
 * helpers retry EINTR and loop over short writes; EAGAIN means "not yet".
 * The blocking helpers really block (chapters 01-05): their deadlines are
 * socket time limits (SO_SNDTIMEO, SO_RCVTIMEO), not poll.
 * Names resolve to IPv4 and IPv6 addresses, tried in the resolver's order.
 * Left out: non-blocking DNS (getaddrinfo blocks however we call it; see
 * resolve.h for lookups on a helper thread).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "timeline.h"

const char *net_host_port(char *buf, size_t size, const char *host, int port)
{
    int ipv6 = strchr(host, ':') != NULL;
    snprintf(buf, size, "%s%s%s:%d", ipv6 ? "[" : "", host, ipv6 ? "]" : "", port);
    return buf;
}

/* Writes "CALL host:port: strerror(errno)" into err, keeps errno, returns -1. */
static int fail(char *err, size_t errlen, const char *call, const char *host, int port)
{
    int saved = errno;
    char where[NET_HOST_PORT_LEN];
    if (err != NULL && errlen > 0)
        snprintf(err, errlen, "%s %s: %s", call, net_host_port(where, sizeof where, host, port),
                 strerror(saved));
    errno = saved;
    return -1;
}

/* getaddrinfo for TCP, IPv4 and IPv6 (AF_UNSPEC: every address of the
 * name, in the order the resolver prefers); passive for listening.
 * 0, or -1 with err. */
static int resolve(const char *host, int port, int passive, struct addrinfo **list,
                   char *err, size_t errlen)
{
    struct addrinfo hints = { 0 };
    char service[16];
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
    snprintf(service, sizeof service, "%d", port);
    int rc = getaddrinfo(host, service, &hints, list);
    if (rc == 0)
        return 0;
    if (rc == EAI_SYSTEM)
        return fail(err, errlen, "resolve", host ? host : "*", port);
    if (err != NULL && errlen > 0)
        snprintf(err, errlen, "resolve %s: %s", host ? host : "*", gai_strerror(rc));
    errno = ENOENT;   /* getaddrinfo has its own codes; callers test errno */
    return -1;
}

static int set_flag(int fd, int flag, int on)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0)
        return -1;
    flags = on ? flags | flag : flags & ~flag;
    return fcntl(fd, F_SETFL, flags);
}

int net_set_nonblocking(int fd)
{
    return set_flag(fd, O_NONBLOCK, 1);
}

void net_close(int fd)
{
    int saved = errno;
    /* No retry on EINTR: on Linux the fd is already closed by then. */
    if (fd >= 0)
        close(fd);
    errno = saved;
}

/* A TCP socket that is not inherited across exec (chapter 05 forks),
 * non-blocking or not: one call where the flags exist, three where not. */
static int new_socket(const struct addrinfo *ai, int nonblocking)
{
#if defined(SOCK_CLOEXEC) && defined(SOCK_NONBLOCK)
    return socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0),
                  ai->ai_protocol);
#else
    int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd >= 0 && (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0
                    || (nonblocking && set_flag(fd, O_NONBLOCK, 1) < 0))) {
        net_close(fd);
        return -1;
    }
    return fd;
#endif
}

/* Waits until fd is ready for `events` or the deadline passes (ETIMEDOUT);
 * deadline 0 waits forever. Readiness may be an error or a hang-up: the
 * read, write or SO_ERROR that follows reports it. Only for fds that
 * cannot carry a time limit of their own (pipes, non-blocking sockets). */
static int wait_ready(int fd, short events, double deadline)
{
    struct pollfd p = { .fd = fd, .events = events };
    for (;;) {
        int timeout_ms = -1;
        if (deadline != 0) {
            double left = deadline - timeline_now();
            if (left <= 0) {
                errno = ETIMEDOUT;
                return -1;
            }
            /* Rounded up, so we never wake just before the deadline and spin. */
            timeout_ms = left > INT_MAX / 1000 ? INT_MAX : (int)(left * 1000) + 1;
        }
        int n = poll(&p, 1, timeout_ms);
        if (n > 0)
            return 0;
        if (n < 0 && errno != EINTR)
            return -1;
        /* n == 0 or EINTR: loop, and let the deadline decide. */
    }
}

/* Gives the next blocking call on socket fd the time left until `deadline`
 * (0 = no limit): SO_SNDTIMEO bounds connect and send, SO_RCVTIMEO bounds
 * read, and a call that runs out returns EAGAIN (connect: EINPROGRESS).
 * -1 with ETIMEDOUT when no time is left, ENOTSOCK for a pipe. */
static int limit_next_call(int fd, int option, double deadline)
{
    struct timeval tv = { 0, 0 };   /* 0 s: no limit */
    if (deadline != 0) {
        double left = deadline - timeline_now();
        if (left < 1e-6) {          /* a zero timeval would mean "forever" */
            errno = ETIMEDOUT;
            return -1;
        }
        tv.tv_sec = (time_t)left;
        tv.tv_usec = (suseconds_t)((left - (double)tv.tv_sec) * 1e6) + 1;   /* round up */
        if (tv.tv_usec >= 1000000) {
            tv.tv_sec++;
            tv.tv_usec -= 1000000;
        }
    }
    return setsockopt(fd, SOL_SOCKET, option, &tv, sizeof tv);
}

int net_connect_result(int fd, const char *host, int port, char *err, size_t errlen)
{
    /* A non-blocking connect reports its outcome only here: writable means
     * "finished", and SO_ERROR says whether it finished well. */
    int so_error = 0;
    socklen_t len = sizeof so_error;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) < 0)
        return fail(err, errlen, "getsockopt", host, port);
    if (so_error != 0) {
        errno = so_error;
        return fail(err, errlen, "connect", host, port);
    }
    return 0;
}

/* Starts a non-blocking connect to one address: the fd, or -1 with err. */
static int start_one(const struct addrinfo *ai, const char *host, int port,
                     char *err, size_t errlen)
{
    int fd = new_socket(ai, 1);
    if (fd < 0)
        return fail(err, errlen, "socket", host, port);
    /* EINPROGRESS: the handshake goes on without us; poll says when it ends. */
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
        fail(err, errlen, "connect", host, port);
        net_close(fd);
        return -1;
    }
    return fd;
}

const char *net_addr_text(const struct addrinfo *ai, char *buf, size_t size)
{
    char host[NI_MAXHOST], port[NI_MAXSERV];
    if (getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof host, port, sizeof port,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
        snprintf(buf, size, "(an address of family %d)", ai->ai_family);
    else
        net_host_port(buf, size, host, atoi(port));
    return buf;
}

char *net_note_failure(char *buf, size_t size, const char *call, const struct addrinfo *ai,
                       int error)
{
    char where[NET_HOST_PORT_LEN];
    size_t used = strlen(buf);
    snprintf(buf + used, size - used, "%s%s %s: %s", used > 0 ? "; " : "", call,
             net_addr_text(ai, where, sizeof where), strerror(error));
    return buf;
}

int net_connect_start_addr(const struct addrinfo *ai, char *err, size_t errlen)
{
    char where[NET_HOST_PORT_LEN];
    int fd = new_socket(ai, 1);
    if (fd >= 0 && (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 || errno == EINPROGRESS))
        return fd;
    int saved = errno;
    if (err != NULL && errlen > 0)
        snprintf(err, errlen, "%s %s: %s", fd < 0 ? "socket" : "connect",
                 net_addr_text(ai, where, sizeof where), strerror(saved));
    net_close(fd);
    errno = saved;
    return -1;
}

int net_connect_start(const char *host, int port, char *err, size_t errlen)
{
    struct addrinfo *list;
    int fd = -1;
    if (resolve(host, port, 0, &list, err, errlen) < 0)
        return -1;
    for (struct addrinfo *ai = list; ai != NULL && fd < 0; ai = ai->ai_next)
        fd = start_one(ai, host, port, err, errlen);
    freeaddrinfo(list);   /* keeps errno on glibc; fd < 0 means err is set */
    return fd;
}

/* Adds err to the list of what happened to each address. */
static void note_attempt(struct net_attempts *a, const char *err)
{
    size_t used = strlen(a->errors);
    snprintf(a->errors + used, sizeof a->errors - used, "%s%s", used > 0 ? "; " : "", err);
}

/* Starts the next address that does not fail at once: the fd, or -1 with
 * every failure in err, the list freed. */
static int start_from_next(struct net_attempts *a, char *err, size_t errlen)
{
    char what[NET_ERR_LEN];
    int saved = errno;
    while (a->next != NULL) {
        const struct addrinfo *ai = a->current = a->next;
        a->next = ai->ai_next;
        int fd = net_connect_start_addr(ai, what, sizeof what);
        if (fd >= 0)
            return fd;
        saved = errno;
        note_attempt(a, what);
    }
    snprintf(err, errlen, "%s", a->errors);
    net_attempts_free(a);
    errno = saved;
    return -1;
}

int net_resolve(const char *host, int port, struct addrinfo **list, char *err, size_t errlen)
{
    return resolve(host, port, 0, list, err, errlen);
}

int net_attempts_start(struct net_attempts *a, struct addrinfo *list, char *err, size_t errlen)
{
    *a = (struct net_attempts){ list, list, NULL, "" };
    return start_from_next(a, err, errlen);
}

int net_attempts_next(struct net_attempts *a, char *err, size_t errlen)
{
    net_note_failure(a->errors, sizeof a->errors, "connect", a->current, errno);
    return start_from_next(a, err, errlen);
}

void net_attempts_free(struct net_attempts *a)
{
    if (a->list != NULL)
        freeaddrinfo(a->list);   /* keeps errno on glibc */
    a->list = a->next = NULL;
    a->current = NULL;
}

/* One address, blocking until connected or the deadline: a blocking
 * socket and a blocking connect, its wait bounded by SO_SNDTIMEO (Linux
 * honours it for connect; a connect that runs out says EINPROGRESS). */
static int connect_one(const struct addrinfo *ai, const char *host, int port,
                       double deadline, char *err, size_t errlen)
{
    int fd = new_socket(ai, 0);
    if (fd < 0)
        return fail(err, errlen, "socket", host, port);
    if (limit_next_call(fd, SO_SNDTIMEO, deadline) < 0)
        fail(err, errlen, errno == ETIMEDOUT ? "connect" : "setsockopt", host, port);
    else if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)   /* waits: the handshake */
        return fd;
    else if (errno == EINPROGRESS) {   /* SO_SNDTIMEO ran out */
        errno = ETIMEDOUT;
        fail(err, errlen, "connect", host, port);
    } else if (errno != EINTR)
        fail(err, errlen, "connect", host, port);
    /* A signal: POSIX says the handshake goes on without us; wait for its end. */
    else if (wait_ready(fd, POLLOUT, deadline) < 0)
        fail(err, errlen, "connect", host, port);
    else if (net_connect_result(fd, host, port, err, errlen) == 0)
        return fd;
    net_close(fd);
    return -1;
}

int net_connect(const char *host, int port, double deadline, char *err, size_t errlen)
{
    struct addrinfo *list;
    char one[NET_ERR_LEN], numeric[NI_MAXHOST];
    int fd = -1, saved = 0;
    if (resolve(host, port, 0, &list, err, errlen) < 0)
        return -1;
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    for (struct addrinfo *ai = list; ai != NULL && fd < 0; ai = ai->ai_next) {
        /* Each failure names its address: "connect [::1]:80: ...; connect ..." */
        if (getnameinfo(ai->ai_addr, ai->ai_addrlen, numeric, sizeof numeric, NULL, 0,
                        NI_NUMERICHOST) != 0)
            snprintf(numeric, sizeof numeric, "%s", host);
        fd = connect_one(ai, numeric, port, deadline, one, sizeof one);
        saved = errno;
        if (fd < 0 && err != NULL && errlen > 0) {
            size_t used = strlen(err);
            snprintf(err + used, errlen - used, "%s%s", used > 0 ? "; " : "", one);
        }
        if (fd < 0 && saved == ETIMEDOUT)
            break;   /* the deadline is shared: no time left for the next one */
    }
    freeaddrinfo(list);
    errno = saved;
    return fd;
}

/* Socket, SO_REUSEADDR, bind, listen on one address: the fd or -1. */
static int listen_one(const struct addrinfo *ai, const char *host, int port,
                      char *err, size_t errlen)
{
    int one = 1;
    int fd = new_socket(ai, 1);
    if (fd < 0)
        return fail(err, errlen, "socket", host, port);
    /* SO_REUSEADDR: a restarted server may bind while old connections of
     * the last run sit in TIME_WAIT. */
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
        fail(err, errlen, "setsockopt", host, port);
    else if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0)
        fail(err, errlen, "bind", host, port);
    else if (listen(fd, SOMAXCONN) < 0)
        fail(err, errlen, "listen", host, port);
    else
        return fd;
    net_close(fd);
    return -1;
}

int net_listen(const char *host, int port, int *bound_port, char *err, size_t errlen)
{
    struct addrinfo *list;
    struct sockaddr_storage addr;   /* room for an IPv4 or an IPv6 address */
    socklen_t len = sizeof addr;
    const char *name = host != NULL ? host : "*";
    if (resolve(host, port, 1, &list, err, errlen) < 0)
        return -1;
    int fd = listen_one(list, name, port, err, errlen);   /* the first address only */
    freeaddrinfo(list);
    if (fd < 0)
        return -1;
    /* Port 0 asks the kernel for any free port: getsockname says which. */
    if (getsockname(fd, (struct sockaddr *)&addr, &len) < 0) {
        fail(err, errlen, "getsockname", name, port);
        net_close(fd);
        return -1;
    }
    if (bound_port != NULL)
        *bound_port = ntohs(addr.ss_family == AF_INET6
                            ? ((struct sockaddr_in6 *)&addr)->sin6_port
                            : ((struct sockaddr_in *)&addr)->sin_port);
    return fd;
}

/* Before a call on fd that must end by `deadline`: a socket gets the time
 * left as its SO_SNDTIMEO/SO_RCVTIMEO; anything else (a pipe) is polled.
 * 0, or -1 with errno (ETIMEDOUT). */
static int before_call(int fd, int option, short events, double deadline)
{
    if (deadline == 0)
        return 0;
    if (limit_next_call(fd, option, deadline) == 0)
        return 0;
    if (errno != ENOTSOCK)
        return -1;
    return wait_ready(fd, events, deadline);
}

/* After a call said EAGAIN: the time limit ran out (ETIMEDOUT), or a
 * non-blocking fd is not ready yet, and poll waits for it. */
static int after_eagain(int fd, short events, double deadline)
{
    if (deadline == 0 || timeline_now() >= deadline) {
        errno = deadline == 0 ? EAGAIN : ETIMEDOUT;
        return -1;
    }
    return wait_ready(fd, events, deadline);
}

ssize_t net_read_some(int fd, void *buf, size_t len, double deadline)
{
    for (;;) {
        if (before_call(fd, SO_RCVTIMEO, POLLIN, deadline) < 0)
            return -1;
        ssize_t n = read(fd, buf, len);   /* waits, at most until the deadline */
        if (n >= 0)
            return n;
        if (errno == EINTR)
            continue;
        if ((errno != EAGAIN && errno != EWOULDBLOCK) || after_eagain(fd, POLLIN, deadline) < 0)
            return -1;
    }
}

/* One write that cannot raise SIGPIPE on a socket whose peer has gone:
 * send(MSG_NOSIGNAL) turns it into EPIPE. Pipes and files take write(). */
static ssize_t write_some(int fd, const char *p, size_t len)
{
    ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
    if (n < 0 && errno == ENOTSOCK)
        n = write(fd, p, len);
    return n;
}

static enum net_nb nb_outcome(ssize_t got, size_t *n)
{
    *n = got > 0 ? (size_t)got : 0;
    if (got >= 0)
        return got == 0 ? NET_END : NET_DATA;
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? NET_AGAIN : NET_ERROR;
}

enum net_nb net_read_nb(int fd, void *buf, size_t len, size_t *n)
{
    return nb_outcome(read(fd, buf, len), n);
}

enum net_nb net_send_nb(int fd, const void *buf, size_t len, size_t *n)
{
    ssize_t got = write_some(fd, buf, len);
    enum net_nb outcome = nb_outcome(got, n);
    return outcome == NET_END ? NET_DATA : outcome;   /* 0 bytes sent is not an end */
}

int net_write_all(int fd, const void *buf, size_t len, double deadline)
{
    const char *p = buf;
    size_t sent = 0;
    while (sent < len) {
        if (before_call(fd, SO_SNDTIMEO, POLLOUT, deadline) < 0)
            return -1;
        ssize_t n = write_some(fd, p + sent, len - sent);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && ((errno != EAGAIN && errno != EWOULDBLOCK)
                      || after_eagain(fd, POLLOUT, deadline) < 0))
            return -1;
        if (n > 0)
            sent += (size_t)n;   /* a short write: go round for the rest */
    }
    return 0;
}

long net_raise_fd_limit(void)
{
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) < 0)
        return -1;
    if (limit.rlim_cur != limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;   /* only root may raise rlim_max */
        if (setrlimit(RLIMIT_NOFILE, &limit) < 0)
            return -1;
    }
    return limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur > LONG_MAX
           ? LONG_MAX : (long)limit.rlim_cur;
}
