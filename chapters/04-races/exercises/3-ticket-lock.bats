#!/usr/bin/env bats
# Exercise 04-3: the ticket lock must exclude (never two threads inside)
# and lose no update. The starter's empty lock fails both in every run.

load ../../../tests/helpers
load ../../../tests/bin/kit

# takes: 4 s
@test "never two threads inside, no update lost: 3 runs" {
    for i in 1 2 3; do
        run_within 12 "$PROGRAM"
        echo "run $i: $output"
        [ "$status" -eq 0 ]
        [ "$output" = "counter 80000, expected 80000; two threads inside at once: 0 times" ]
    done
}
