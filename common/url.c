/* url: url_parse, one strict pass over "http://host[:port][/path][?query]".
 * Every rejection names what is wrong; the result goes into fixed arrays.
 * The host is a name, an IPv4 address or an IPv6 address in brackets.
 * Left out: https, userinfo, IPv6 zone ids ("%eth0"), fragments,
 * percent-decoding.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "url.h"

/* Writes the message (when there is room for one) and returns -1. */
static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err != NULL && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* The characters no URL may hold: spaces, control characters, '#'. */
static int check_chars(const char *text, char *err, size_t errlen)
{
    for (const char *p = text; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == ' ')
            return fail(err, errlen, "space at position %d", (int)(p - text) + 1);
        if (c < 0x20 || c == 0x7f)
            return fail(err, errlen, "control character 0x%02x at position %d", c,
                        (int)(p - text) + 1);
        if (c == '#')
            return fail(err, errlen, "fragments ('#') are not supported");
    }
    return 0;
}

/* Checks the scheme; returns the length of "http://" or -1. */
static int parse_scheme(const char *text, char *err, size_t errlen)
{
    const char *sep = strstr(text, "://");
    if (sep == NULL)
        return fail(err, errlen, "scheme must be http:// (the URL has none)");
    size_t len = (size_t)(sep - text);
    if (len == 4 && strncasecmp(text, "http", 4) == 0)
        return 7;
    if (len == 5 && strncasecmp(text, "https", 5) == 0)
        return fail(err, errlen, "https is not supported");
    return fail(err, errlen, "scheme must be http://, not '%.*s'",
                len > 16 ? 16 : (int)len, text);
}

/* host[len]: 1..URL_HOST_MAX letters, digits, '-' and '.', no empty label. */
static int parse_host(const char *host, size_t len, struct url *out, char *err, size_t errlen)
{
    if (len == 0)
        return fail(err, errlen, "no host");
    if (len > URL_HOST_MAX)
        return fail(err, errlen, "host is longer than %d characters", URL_HOST_MAX);
    for (size_t i = 0; i < len; i++) {
        char c = host[i];
        if (c == '[' || c == ']')
            return fail(err, errlen, "a '%c' may only enclose a whole IPv6 address: "
                        "http://[::1]:8000/", c);
        if ((unsigned char)c >= 0x80)
            return fail(err, errlen, "byte 0x%02x is not allowed in a host name",
                        (unsigned char)c);
        if (!is_alnum(c) && c != '-' && c != '.')
            return fail(err, errlen, "character '%c' is not allowed in a host name", c);
        if (c == '.' && (i == 0 || i + 1 == len || host[i + 1] == '.'))
            return fail(err, errlen, "host has an empty label (a '.' at an end or '..')");
    }
    memcpy(out->host, host, len);
    out->host[len] = '\0';
    return 0;
}

/* An IPv6 literal: "[" address "]" at the start of the authority (which is
 * auth_len long). Stores the address without its brackets (connect wants
 * it bare; http_format_get puts them back for Host:) and returns the length
 * of the bracketed part, or -1. */
static int parse_ipv6(const char *authority, size_t auth_len, struct url *out,
                      char *err, size_t errlen)
{
    const char *close = memchr(authority, ']', auth_len);
    struct in6_addr addr;
    if (close == NULL)
        return fail(err, errlen, "IPv6 address without its closing ']'");
    size_t len = (size_t)(close - authority) - 1;
    if (len == 0)
        return fail(err, errlen, "empty IPv6 address '[]'");
    if (len >= INET6_ADDRSTRLEN || memchr(authority + 1, '[', len) != NULL)
        return fail(err, errlen, "'%.*s' is not an IPv6 address",
                    len > 48 ? 48 : (int)len, authority + 1);
    memcpy(out->host, authority + 1, len);
    out->host[len] = '\0';
    if (memchr(out->host, '%', len) != NULL)
        return fail(err, errlen, "IPv6 zone ids ('%%') are not supported");
    if (inet_pton(AF_INET6, out->host, &addr) != 1)
        return fail(err, errlen, "'%s' is not an IPv6 address", out->host);
    size_t used = len + 2;
    if (used < auth_len && authority[used] != ':')
        return fail(err, errlen, "'%c' after the IPv6 address: only ':port' may follow ']'",
                    authority[used]);
    return (int)used;
}

/* digits[len]: the text after ':', a number from 1 to 65535. */
static int parse_port(const char *digits, size_t len, struct url *out, char *err, size_t errlen)
{
    long port = 0;
    if (len == 0)
        return fail(err, errlen, "empty port after ':'");
    for (size_t i = 0; i < len; i++) {
        if (digits[i] < '0' || digits[i] > '9')
            return fail(err, errlen, "port '%.*s' is not a number",
                        len > 32 ? 32 : (int)len, digits);
        if (port <= 65535)          /* stop growing: long digit strings stay out of range */
            port = port * 10 + (digits[i] - '0');
    }
    if (port < 1 || port > 65535)
        return fail(err, errlen, "port %.*s is out of range 1-65535",
                    len > 32 ? 32 : (int)len, digits);
    out->port = (int)port;
    return 0;
}

/* rest: what follows host[:port], "" or "/..." or "?...". */
static int parse_path(const char *rest, struct url *out, char *err, size_t errlen)
{
    /* "http://h" means "/", and "http://h?x=1" means "/?x=1". */
    size_t slash = rest[0] == '/' ? 0 : 1, len = strlen(rest);
    if (slash + len > URL_PATH_MAX)
        return fail(err, errlen, "path is longer than %d characters", URL_PATH_MAX);
    out->path[0] = '/';
    memcpy(out->path + slash, rest, len + 1);
    return 0;
}

int url_parse(const char *text, struct url *out, char *err, size_t errlen)
{
    if (text == NULL || text[0] == '\0')
        return fail(err, errlen, "empty URL");
    if (check_chars(text, err, errlen) < 0)
        return -1;
    int skip = parse_scheme(text, err, errlen);
    if (skip < 0)
        return -1;
    const char *authority = text + skip;
    size_t auth_len = strcspn(authority, "/?");
    const char *at = memchr(authority, '@', auth_len);
    if (at != NULL)
        return fail(err, errlen, "user names ('user@host') are not supported");
    const char *colon;
    size_t host_len;
    if (authority[0] == '[') {
        int used = parse_ipv6(authority, auth_len, out, err, errlen);
        if (used < 0)
            return -1;
        host_len = (size_t)used;
        colon = host_len < auth_len ? authority + host_len : NULL;
    } else {
        colon = memchr(authority, ':', auth_len);
        host_len = colon != NULL ? (size_t)(colon - authority) : auth_len;
        if (colon != NULL && memchr(colon + 1, ':', auth_len - host_len - 1) != NULL
            && strspn(authority, "0123456789abcdefABCDEF") == host_len)   /* "::1", "fe80:..." */
            return fail(err, errlen, "an IPv6 address must be in brackets: http://[::1]:8000/");
        if (parse_host(authority, host_len, out, err, errlen) < 0)
            return -1;
    }
    out->port = 80;
    if (colon != NULL
        && parse_port(colon + 1, auth_len - host_len - 1, out, err, errlen) < 0)
        return -1;
    return parse_path(authority + auth_len, out, err, errlen);
}
