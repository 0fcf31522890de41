#!/usr/bin/env bats
# Exercise 1 (chapter 10): no blocking call left: the heartbeat is on time.

load ../../../tests/helpers
load ../../../tests/bin/kit

# takes: 2 s
@test "the worker does its rounds and the heartbeat stays on time" {
    on_time 0.04 "$PROGRAM"
    [ "$status" -eq 0 ]
    [[ $output == *"worker: 5 rounds"* ]]
    [[ $output == *"heartbeat: 20 beats, worst lateness "* ]]
    lateness=$(sed -nE 's/.*worst lateness ([0-9.]+) s/\1/p' <<<"$output")
    check "$lateness < 0.04"
}
