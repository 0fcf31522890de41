#!/usr/bin/env bats
# Exercise 05-1: any size must get through and the child must be reaped;
# the starter hangs (killed by timeout) past 64 KiB.

load ../../../tests/helpers
load ../../../tests/bin/kit

# takes: 1 s
@test "10 bytes, 0 bytes, 1 MiB and 5 MiB all arrive; the child exits 0" {
    for bytes in 10 0 1048576 5242880; do
        run_within 5 "$PROGRAM" "$bytes"
        echo "$bytes: status $status: $output"
        [ "$status" -eq 0 ]
        [[ $output =~ ^read\ $bytes\ bytes\;\ child\ [0-9]+\ exited\ with\ status\ 0$ ]]
    done
}

# takes: 0.5 s
@test "a bad size is a usage error" {
    run "$PROGRAM" lots
    [ "$status" -eq 2 ]
}
