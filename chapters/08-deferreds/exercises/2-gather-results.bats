#!/usr/bin/env bats
# Exercise 2 (chapter 08): gather_results gives every result in order, or
# the first failure as soon as it happens.

load ../../../tests/helpers
load ../../../tests/bin/kit

at() { sed -nE 's/.*\(at ([0-9.]+) s\)$/\1/p' <<<"$1"; }

# takes: 0.5 s
@test "all succeed: the results in order, when the last one arrives" {
    run "$PROGRAM" ok:0.2 ok:0.1 ok:0
    [ "$status" -eq 0 ]
    [[ $output == "results: result 0, result 1, result 2 (at 0."* ]]
    check "$(at "$output") >= 0.19"
}

# takes: 1 s
@test "one fails: the errback at once, with that error, not waiting for the rest" {
    run "$PROGRAM" ok:0.5 fail:0.1 ok:0.2
    [ "$status" -eq 0 ]
    [[ $output == "failure: error 1 (at 0."* ]]
    check "$(at "$output") < 0.3"
    [ "${#lines[@]}" -eq 1 ]
}

# takes: 0.5 s
@test "two fail: only the first failure is reported" {
    run "$PROGRAM" fail:0.3 ok:0 fail:0.1
    [ "$output" = "failure: error 2 (at $(at "$output") s)" ]
    check "$(at "$output") < 0.25"
}

# takes: 0.5 s
@test "no leak, when all succeed and when one fails early" {
    no_leak "$PROGRAM" ok:0.05 ok:0.1
    no_leak "$PROGRAM" ok:0.2 fail:0.05 fail:0.1
}
