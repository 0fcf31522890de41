#!/usr/bin/env bats
# Exercise 02.1: three calls of 0.3, 0.5 and 0.2 s must take about 0.5 s.
load ../../../tests/helpers
load ../../../tests/bin/kit
teardown() { stop_servers; }

# takes: 1.5 s
@test "the three calls overlap: total about the slowest call, not the sum" {
    start_server
    run "$PROGRAM" "$SLOW"
    [ "$status" -eq 0 ]
    [[ $output == *"notifications: 200 at "* ]]
    [[ $output == *"billing: 200 at "* ]]
    [[ $output == *"privileges: 200 at "* ]]
    total=$(sed -nE 's/^total ([0-9.]+) s$/\1/p' <<<"$output")
    check "$total >= 0.5 && $total < 0.75"
}
