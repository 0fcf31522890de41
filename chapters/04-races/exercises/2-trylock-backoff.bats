#!/usr/bin/env bats
# Exercise 04-2: no run may stall (the starter deadlocks and its watchdog
# exits 1), and the money must add up.

load ../../../tests/helpers
load ../../../tests/bin/kit

# takes: 1.5 s
@test "5 runs, each finishing within 3 s with the money intact" {
    for i in 1 2 3 4 5; do
        start=$(now)
        run_within 10 "$PROGRAM"
        echo "run $i: $output"
        [ "$status" -eq 0 ]
        [ "$output" = "400 transfers; A 1000 + B 1000 = 2000" ]
        check "$(now) - $start < 3"
    done
}
