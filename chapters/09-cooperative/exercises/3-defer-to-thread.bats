#!/usr/bin/env bats
# Exercise 3 (chapter 09): two jobs in threads, results back on the loop,
# the heartbeat on time.

load ../../../tests/helpers
load ../../../tests/bin/kit

# takes: 1.5 s
@test "both results arrive, the smaller job first, and the loop stays on time" {
    on_time 0.1 "$PROGRAM"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "job 1000000: 78498 primes" ]
    [ "${lines[1]}" = "job 2000000: 148933 primes" ]
    lateness=$(sed -nE 's/^worst lateness ([0-9.]+) s$/\1/p' <<<"$output")
    check "$lateness < 0.1"
}
