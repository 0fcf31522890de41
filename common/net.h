/* net: the socket calls every chapter needs, written once.
 * Blocking helpers loop over EINTR and short counts; the non-blocking ones
 * only start things. Errors: return -1 with errno set and, where there is an
 * `err` buffer, a message naming the call ("connect 127.0.0.1:8000: ...").
 * Hosts are names, IPv4 or IPv6 addresses ("::1", no brackets); a name
 * resolves to all its addresses, IPv4 and IPv6 (AF_UNSPEC).
 * Left out: TLS, DNS without blocking (getaddrinfo blocks; a failed lookup
 * sets ENOENT; resolve.h runs it on helper threads).
 */
#ifndef WAITLESS_NET_H
#define WAITLESS_NET_H

#include <stddef.h>
#include <sys/types.h>

#define NET_ERR_LEN 256
#define NET_HOST_PORT_LEN 300   /* a host name, brackets, ':', a port */

struct addrinfo;

/* "host:port", or "[host]:port" for an IPv6 address, into buf: as a URL or
 * a message writes it. Returns buf. */
const char *net_host_port(char *buf, size_t size, const char *host, int port);

/* A blocking connect to host:port, each address in turn, on a blocking
 * socket. `deadline` is an absolute timeline_now() time after which it
 * gives up with ETIMEDOUT (0 = never), shared by all the addresses.
 * Returns the connected fd (blocking), or -1. */
int net_connect(const char *host, int port, double deadline, char *err, size_t errlen);

/* A non-blocking connect: returns an fd whose connect is under way
 * (EINPROGRESS) or already done; wait until it is writable, then ask
 * net_connect_result whether it worked. Returns -1 with err on failure. */
int net_connect_start(const char *host, int port, char *err, size_t errlen);

/* The same for one address of a resolved name: the fd, or -1 with err
 * naming the address ("connect [::1]:8000: Connection refused"). */
int net_connect_start_addr(const struct addrinfo *ai, char *err, size_t errlen);

/* An address as text, "127.0.0.1:8000" or "[::1]:8000", into buf. */
const char *net_addr_text(const struct addrinfo *ai, char *buf, size_t size);

/* Adds "CALL ADDRESS: strerror(error)" to the list of failures in buf (""
 * at first), after a "; ": "connect A: why; connect B: why". Returns buf. */
char *net_note_failure(char *buf, size_t size, const char *call, const struct addrinfo *ai,
                       int error);

/* Every address of host:port, IPv4 and IPv6, in the resolver's order: a
 * list for freeaddrinfo, or -1 with err (and ENOENT when getaddrinfo said
 * why). Blocks for as long as the lookup takes (see resolve.h). */
int net_resolve(const char *host, int port, struct addrinfo **list, char *err, size_t errlen);

/* Every address of a name, tried one after another by a loop of its own
 * (chapters 06 and 11): start the first, and when its connect fails
 * (SO_ERROR), or takes too long, start the next, until one connects or
 * none is left. */
struct net_attempts {
    struct addrinfo *list, *next;   /* the answer; the address to try next */
    const struct addrinfo *current; /* the one in flight */
    char errors[2 * NET_ERR_LEN];   /* "connect A: why; connect B: why" */
};

/* Takes `list` (a name's addresses, not empty; net_attempts_free frees
 * it) and starts a non-blocking connect to its first address that does
 * not fail at once: the fd, or -1 with err naming every address that
 * failed. a->next != NULL while an address is left to fall back to. */
int net_attempts_start(struct net_attempts *a, struct addrinfo *list, char *err, size_t errlen);

/* The connect in flight failed with errno (SO_ERROR, or ETIMEDOUT when the
 * caller gave up on it): notes it, closes nothing, starts the next
 * address. The fd, or -1 with err naming every address that failed. */
int net_attempts_next(struct net_attempts *a, char *err, size_t errlen);

/* Frees what is left (after a success, or to give up). */
void net_attempts_free(struct net_attempts *a);

/* After a non-blocking connect's fd became writable: 0 when connected,
 * -1 with errno and err set from SO_ERROR when it failed. */
int net_connect_result(int fd, const char *host, int port, char *err, size_t errlen);

/* Listen on host:port (port 0 = any free port). Returns the fd (non-blocking)
 * and stores the bound port in *bound_port. */
int net_listen(const char *host, int port, int *bound_port, char *err, size_t errlen);

/* Write all len bytes to a blocking fd, retrying EINTR and short writes,
 * giving up with ETIMEDOUT at `deadline` (0 = never): on a socket each
 * send waits under SO_SNDTIMEO, set to the time left; a pipe is polled.
 * (A non-blocking fd works too: EAGAIN is polled.) 0 or -1. */
int net_write_all(int fd, const void *buf, size_t len, double deadline);

/* One read from a blocking fd that waits at most until `deadline`
 * (0 = forever): a socket under SO_RCVTIMEO, set to the time left; a pipe
 * through poll. Returns bytes read, 0 at end of stream, -1 with errno
 * (ETIMEDOUT when the deadline passed). Retries EINTR. */
ssize_t net_read_some(int fd, void *buf, size_t len, double deadline);

int net_set_nonblocking(int fd);

/* The non-blocking policy, once: one read or one send on a non-blocking
 * fd. NET_DATA: *n bytes moved (a send may be short: send the rest when
 * writable); NET_END: the peer closed (reads only); NET_AGAIN: not now
 * (EAGAIN, EWOULDBLOCK or EINTR): wait for readiness, then call again;
 * NET_ERROR: errno says why. A send never raises SIGPIPE (MSG_NOSIGNAL;
 * a pipe gets write()). Chapter 06 spells these cases out itself. */
enum net_nb { NET_ERROR = -1, NET_AGAIN, NET_DATA, NET_END };
enum net_nb net_read_nb(int fd, void *buf, size_t len, size_t *n);
enum net_nb net_send_nb(int fd, const void *buf, size_t len, size_t *n);

/* Raises this process's limit on open fds (RLIMIT_NOFILE) from its soft
 * value to the hard one, for programs that hold thousands of sockets.
 * Returns the limit now in force, or -1 with errno. */
long net_raise_fd_limit(void);

/* Close fd and keep errno as it was (for error paths). */
void net_close(int fd);

#endif
