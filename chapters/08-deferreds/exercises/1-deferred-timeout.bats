#!/usr/bin/env bats
# Exercise 1 (chapter 08): deferred_timeout fails a late deferred in time,
# and gets out of the way of one that fires first.

load ../../../tests/helpers
load ../../../tests/bin/kit

# takes: 1.5 s
@test "a deferred that fires too late is failed by the timeout, on time" {
    run "$PROGRAM" 1 0.2
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == "failure: timed out after 0.20 s (at 0."* ]]
    at=$(sed -nE 's/.*\(at ([0-9.]+) s\)/\1/p' <<<"${lines[0]}")
    check "$at >= 0.19 && $at < 0.6"
}

# takes: 0.5 s
@test "a deferred that fires in time gets its result, and the timer is cancelled" {
    run "$PROGRAM" 0.1 2
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == "result: done (at 0."* ]]
    done_at=$(sed -nE 's/reactor done at ([0-9.]+) s/\1/p' <<<"$output")
    check "$done_at < 1"       # not kept waiting for a 2 s timer
}

# takes: 0.5 s
@test "a deferred that has fired already: the stage runs at once, and no timer outlives it" {
    # Arm the timer before adding the stage that cancels it: on a fired
    # deferred the stage runs inside deferred_add_callbacks.
    run --separate-stderr "$PROGRAM" now 0.3
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "result: done (at 0.00 s)" ]
    [ "${lines[1]}" = "reactor done at 0.00 s" ]   # no timer left to wait for
    [ -z "$stderr" ]                               # nothing fired it twice
}

# takes: 1 s
@test "no leak, whether the timeout fires or is cancelled" {
    no_leak "$PROGRAM" 0.5 0.1
    no_leak "$PROGRAM" 0.1 2
    no_leak "$PROGRAM" now 2
}
