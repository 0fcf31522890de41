/* fake-names: an LD_PRELOAD getaddrinfo that answers chosen names with
 * chosen loopback addresses, for the tests of every-address, Happy
 * Eyeballs and lookups off the loop. $WAITLESS_FAKE_NAMES holds entries
 * separated by white space:
 *     NAME=ADDR[,ADDR...][/SECONDS]   the addresses, in this order, after
 *                                     a lookup that takes SECONDS (0)
 *     NAME=                           a name with no address (EAI_NONAME)
 * e.g. "two.test=127.0.0.3,127.0.0.1 slow.test=127.0.0.1/1 none.test=".
 * Every other name goes to the real getaddrinfo. The answer is made of the
 * real getaddrinfo's answers for each address, chained, so the real
 * freeaddrinfo frees it (glibc frees node by node).
 * Left out: names longer than 255 bytes, more than 16 addresses.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int getaddrinfo_fn(const char *, const char *, const struct addrinfo *,
                           struct addrinfo **);

/* Finds NAME's entry: its text after '=' into value (256 bytes), or -1. */
static int find_entry(const char *name, char *value)
{
    const char *p = getenv("WAITLESS_FAKE_NAMES");
    size_t len = strlen(name);
    while (p != NULL && *p != '\0') {
        p += strspn(p, " \t\n");
        size_t entry = strcspn(p, " \t\n");
        if (entry > len && p[len] == '=' && strncmp(p, name, len) == 0 && entry - len - 1 < 256) {
            memcpy(value, p + len + 1, entry - len - 1);
            value[entry - len - 1] = '\0';
            return 0;
        }
        p += entry;
    }
    return -1;
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                struct addrinfo **res)
{
    getaddrinfo_fn *real = (getaddrinfo_fn *)dlsym(RTLD_NEXT, "getaddrinfo");
    char value[256];
    if (real == NULL)
        return EAI_FAIL;
    if (node == NULL || (hints != NULL && (hints->ai_flags & AI_NUMERICHOST))
        || find_entry(node, value) < 0)
        return real(node, service, hints, res);
    char *delay = strchr(value, '/');
    if (delay != NULL) {
        *delay++ = '\0';
        double s = atof(delay);
        struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
        while (nanosleep(&ts, &ts) != 0)
            ;
    }
    struct addrinfo numeric = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
                                .ai_socktype = SOCK_STREAM };
    if (hints != NULL) {
        numeric.ai_family = hints->ai_family;
        numeric.ai_socktype = hints->ai_socktype;
        numeric.ai_protocol = hints->ai_protocol;
    }
    struct addrinfo *head = NULL, **tail = &head;
    char *save = NULL;
    for (char *addr = strtok_r(value, ",", &save); addr != NULL; addr = strtok_r(NULL, ",", &save)) {
        struct addrinfo *one;
        if (real(addr, service, &numeric, &one) != 0)
            continue;   /* of another family than the hints ask for */
        *tail = one;
        while (*tail != NULL)
            tail = &(*tail)->ai_next;
    }
    if (head == NULL)
        return EAI_NONAME;
    *res = head;
    return 0;
}
