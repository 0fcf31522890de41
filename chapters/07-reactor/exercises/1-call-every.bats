#!/usr/bin/env bats
# Exercise 1 (chapter 07): call_every repeats, and cancels from inside and outside.
load ../../../tests/helpers

@test "three ticks (self-cancelled), three tocks (cancelled at 0.5 s), then run returns" {
    run "$PROGRAM"
    [ "$status" -eq 0 ]
    [ "$(grep -c '^tick ' <<<"$output")" -eq 3 ]
    [ "$(grep -c '^tock ' <<<"$output")" -eq 3 ]
    [[ $output == *"tick 3 at 0.3"* ]]
    [[ $output == *"tock 3 at 0.4"* ]]
    [[ $output == *"cancel tock at 0.5"* ]]
    [[ ${lines[-1]} == "run returned at 0.5"*": 3 ticks, 3 tocks" ]]
}
