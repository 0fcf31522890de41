/* Fuzz target: the HTTP response parser gives the same result however the
 * bytes arrive. The input is a recipe: its first byte says how many piece
 * sizes follow (0..7), each next byte is a piece size (1..256, used in
 * turn), and the rest is the response. It is parsed once in one feed and
 * once in those pieces (then EOF, when the parser still wants more); the
 * progress, status, Content-Length, framing (chunked, keep-alive), body,
 * where the response ended (the bytes it used) and error message must match.
 */
#include <string.h>

#include "fuzz.h"
#include "http.h"

struct outcome {
    enum http_progress progress;
    size_t used;                 /* bytes the response took: the rest are the next one's */
    struct http_response res;
    char err[HTTP_ERR_LEN];
};

/* Feeds data[0..len) in pieces of sizes[i % n_sizes] (n_sizes 0: at once). */
static void parse(struct outcome *o, const uint8_t *data, size_t len,
                  const uint8_t *sizes, size_t n_sizes)
{
    size_t at = 0, i = 0;
    http_response_init(&o->res);
    o->err[0] = '\0';
    o->progress = HTTP_MORE;
    o->used = 0;
    while (o->progress == HTTP_MORE && at < len) {
        size_t piece = n_sizes == 0 ? len : (size_t)sizes[i++ % n_sizes] + 1, used;
        if (piece > len - at)
            piece = len - at;
        o->progress = http_response_parse(&o->res, (const char *)data + at, piece, &used,
                                          o->err, sizeof o->err);
        must(o->progress >= HTTP_ERROR && o->progress <= HTTP_DONE, "a known progress");
        must(used <= piece, "uses no more than it was given");
        must(o->progress != HTTP_MORE || used == piece, "wanting more, it used everything");
        o->used += used;
        at += piece;
    }
    if (o->progress == HTTP_MORE)
        o->progress = http_response_eof(&o->res, o->err, sizeof o->err);
    must(o->progress != HTTP_MORE, "EOF ends every response");
}

static void check_same(const struct outcome *a, const struct outcome *b)
{
    must(a->progress == b->progress, "same progress");
    if (a->progress == HTTP_ERROR) {
        must(strcmp(a->err, b->err) == 0, "same error message");
        must(a->err[0] != '\0', "an error says why");
        return;
    }
    must(a->res.status == b->res.status, "same status");
    must(a->res.status >= 100 && a->res.status <= 599, "a done response has a status");
    must(a->res.content_length == b->res.content_length, "same Content-Length");
    must(a->res.chunked == b->res.chunked && a->res.keep_alive == b->res.keep_alive,
         "same framing");
    must(a->used == b->used, "the response ends at the same byte");
    must(!(a->res.chunked && a->res.content_length >= 0), "never chunked with a length");
    must(a->res.body_len == b->res.body_len, "same body length");
    must(a->res.body_len == 0 || memcmp(a->res.body, b->res.body, a->res.body_len) == 0,
         "same body");
    int bodiless = a->res.status < 200 || a->res.status == 204 || a->res.status == 304;
    must(bodiless || a->res.content_length < 0
         || (long long)a->res.body_len == a->res.content_length,
         "a done body has its Content-Length");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t n_sizes = data[0] % 8;
    if (size < 1 + n_sizes)
        return 0;
    const uint8_t *sizes = data + 1, *response = data + 1 + n_sizes;
    size_t len = size - 1 - n_sizes;
    struct outcome whole, pieces;
    parse(&whole, response, len, NULL, 0);
    parse(&pieces, response, len, sizes, n_sizes);
    check_same(&whole, &pieces);
    http_response_free(&whole.res);
    http_response_free(&pieces.res);
    return 0;
}
