#!/usr/bin/env bats
# Exercise 2 (chapter 09): --deadline stops the work in time, and does not
# keep a finished program waiting.

load ../../../tests/helpers
load ../../../tests/bin/kit

seconds() { sed -nE "s/^$1.* after ([0-9.]+) s$/\1/p" <<<"$output"; }

# takes: 0.5 s
@test "work longer than the deadline is stopped at the deadline" {
    run_within 5 "$PROGRAM" --limit 50000000 --deadline 0.2   # else about 30 s
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == "stopped: "*" primes below "*" after 0."* ]]
    check "$(seconds stopped) >= 0.19 && $(seconds stopped) < 0.6"
    check "$(seconds exited) < 0.6"
}

# takes: 1 s
@test "work that finishes first cancels the deadline" {
    run "$PROGRAM" --limit 10000 --deadline 5
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "finished: 1229 primes below 10000 after $(seconds finished) s" ]
    check "$(seconds exited) < 1"
}

# takes: 0.5 s
@test "no deadline: the work runs to the end" {
    run "$PROGRAM" --limit 100000
    [[ ${lines[0]} == "finished: 9592 primes below 100000 after "* ]]
}
