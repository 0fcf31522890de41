/* replay: runs a fuzz target once on each file named on the command line,
 * without libFuzzer, so that `make test` checks the corpus (and every crash
 * ever found, kept there) with gcc. Prints "replayed N inputs"; a broken
 * property aborts. Left out: mutating inputs (that is libFuzzer's job).
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"

/* Reads the whole file into a malloc'd buffer; NULL on failure. */
static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data = NULL;
    size_t cap = 0, len = 0;
    if (f == NULL)
        return NULL;
    for (;;) {
        if (len == cap) {
            uint8_t *bigger = realloc(data, cap = cap ? 2 * cap : 4096);
            if (bigger == NULL)
                break;
            data = bigger;
        }
        size_t n = fread(data + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            if (ferror(f))
                break;
            fclose(f);
            *size = len;
            return data;
        }
    }
    free(data);
    fclose(f);
    return NULL;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        size_t size = 0;
        uint8_t *data = read_file(argv[i], &size);
        if (data == NULL) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno ? errno : ENOMEM));
            return 1;
        }
        LLVMFuzzerTestOneInput(data, size);
        free(data);
    }
    printf("replayed %d inputs\n", argc - 1);
    return 0;
}
