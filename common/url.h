/* url: parse "http://host[:port][/path][?query]" into fixed-size fields.
 * The host is a name, an IPv4 address, or an IPv6 address in brackets
 * ("http://[::1]:8000/"). Strict on purpose: every rejection has its own
 * message, nothing is allocated. Left out: https, user:password@, IPv6 zone
 * ids, fragments (a '#' is rejected), percent-decoding (the path is passed
 * on as written).
 */
#ifndef WAITLESS_URL_H
#define WAITLESS_URL_H

#include <stddef.h>

#define URL_HOST_MAX 255   /* longest host name DNS allows */
#define URL_PATH_MAX 2048  /* path + query, the part after host:port */
#define URL_ERR_LEN 128

struct url {
    char host[URL_HOST_MAX + 1];  /* an IPv6 address without its brackets */
    int port;                     /* 80 when the URL names none */
    char path[URL_PATH_MAX + 1];  /* starts with '/', includes "?query" */
};

/* 0 on success; -1 with a message in err ("no host", "port 99999 is out
 * of range 1-65535", ...) when text is not a URL this toolkit fetches. */
int url_parse(const char *text, struct url *out, char *err, size_t errlen);

#endif
