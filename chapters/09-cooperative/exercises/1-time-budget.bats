#!/usr/bin/env bats
# Exercise 1 (chapter 09): many tiny steps per turn, within a time budget.

load ../../../tests/helpers
load ../../../tests/bin/kit

# takes: 2 s
@test "far fewer turns than steps, the same count, the heartbeat on time" {
    on_time 0.1 "$PROGRAM"
    [ "$status" -eq 0 ]
    [[ $output == "primes 148933, 40000 steps in "*" turns, worst lateness "* ]]
    turns=$(sed -nE 's/.* in ([0-9]+) turns.*/\1/p' <<<"$output")
    lateness=$(sed -nE 's/.*worst lateness ([0-9.]+) s/\1/p' <<<"$output")
    check "$turns < 40000 / 20"        # at least 20 steps a turn on average
    check "$turns >= 10"               # and it did yield
    check "$lateness < 0.1"
}
