/* Fuzz target: url_parse on any text. A URL it accepts must be one the
 * fetchers can use (a host of allowed characters or an IPv6 address, a port in range, a path
 * from '/', a GET that fits fetch.c's buffer); a rejection must say why,
 * and the answer must not depend on the size of the error buffer.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "fuzz.h"
#include "http.h"
#include "url.h"

static void check_accepted(const struct url *u)
{
    size_t host_len = strlen(u->host);
    must(host_len >= 1 && host_len <= URL_HOST_MAX, "host length in 1..URL_HOST_MAX");
    if (strchr(u->host, ':') != NULL) {   /* an IPv6 address, its brackets dropped */
        struct in6_addr addr;
        must(inet_pton(AF_INET6, u->host, &addr) == 1, "a host with ':' is an IPv6 address");
    } else {
        must(strspn(u->host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.")
             == host_len, "host has only letters, digits, '-' and '.'");
        must(u->host[0] != '.' && u->host[host_len - 1] != '.' && strstr(u->host, "..") == NULL,
             "host has no empty label");
    }
    must(u->port >= 1 && u->port <= 65535, "port in 1..65535");
    must(u->path[0] == '/' && strlen(u->path) <= URL_PATH_MAX, "path from '/', not too long");
    for (const char *p = u->path; *p; p++)
        must((unsigned char)*p >= 0x20 && *p != 0x7f && *p != ' ' && *p != '#',
             "no control character, space or '#' in the path");
    char request[URL_HOST_MAX + URL_PATH_MAX + 128];   /* fetch.c's buffer */
    must(http_format_get(request, sizeof request, u) > 0, "the GET fits fetch.c's buffer");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';   /* url_parse takes C strings: stop at the first NUL */
    struct url u, small;
    char err[URL_ERR_LEN] = "", tiny[4];
    int rc = url_parse(text, &u, err, sizeof err);
    must(rc == 0 || rc == -1, "url_parse returns 0 or -1");
    if (rc == 0)
        check_accepted(&u);
    else
        must(err[0] != '\0', "a rejection says why");
    must(url_parse(text, &small, tiny, sizeof tiny) == rc, "same answer with a tiny err buffer");
    must(url_parse(text, &small, NULL, 0) == rc, "same answer with no err buffer");
    free(text);
    return 0;
}
