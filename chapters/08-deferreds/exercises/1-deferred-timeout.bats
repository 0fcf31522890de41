#!/usr/bin/env bats
# Exercise 1 (chapter 08): deferred_timeout fails a late deferred in time,
# and gets out of the way of one that fires first.

load ../../../tests/helpers

@test "a deferred that fires too late is failed by the timeout, on time" {
    run "$PROGRAM" 1 0.2
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == "failure: timed out after 0.20 s (at 0."* ]]
    at=$(sed -nE 's/.*\(at ([0-9.]+) s\)/\1/p' <<<"${lines[0]}")
    check "$at >= 0.19 && $at < 0.6"
}

@test "a deferred that fires in time gets its result, and the timer is cancelled" {
    run "$PROGRAM" 0.1 2
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == "result: done (at 0."* ]]
    done_at=$(sed -nE 's/reactor done at ([0-9.]+) s/\1/p' <<<"$output")
    check "$done_at < 1"       # not kept waiting for a 2 s timer
}

@test "the late producer does not fire twice" {
    run --separate-stderr "$PROGRAM" 0.3 0.1
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == "failure: timed out after 0.10 s"* ]]
    [ -z "$stderr" ]
}
