/* fuzz.h: what every fuzz target in tests/fuzz/ shares. A target is one
 * function, LLVMFuzzerTestOneInput, built two ways: with clang's libFuzzer
 * (`make fuzz`: new inputs, for a while) and with replay.c (`make test`:
 * the checked-in corpus once, with gcc and, under `make sanitize`, ASan).
 * Left out: fuzzing anything that touches the network.
 */
#ifndef WAITLESS_FUZZ_H
#define WAITLESS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property that must hold: when it does not, say which and crash, so
 * that libFuzzer keeps the input and replay exits non-zero. */
static inline void must(int holds, const char *property)
{
    if (!holds) {
        fprintf(stderr, "fuzz: property broken: %s\n", property);
        abort();
    }
}

#endif
