#!/usr/bin/env bats
# Exercise 1 (chapter 07): call_every repeats, cancels from inside and
# outside, does not drift when the callbacks take time, and frees its memory.
load ../../../tests/helpers
load ../../../tests/bin/kit

# takes: 1 s
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

# takes: 1.5 s
@test "no drift: each tick takes 0.1 s, and tick 3 still comes at 0.30 (re-armed from now: 0.50)" {
    run "$PROGRAM" 0.1
    [ "$status" -eq 0 ]
    [[ $output =~ tick\ 3\ at\ ([0-9.]+) ]]
    check "${BASH_REMATCH[1]} < 0.4"
    [[ ${lines[-1]} == "run returned at "*": 3 ticks, 3 tocks" ]]
}

# takes: 1 s
@test "no memory error, no leak" {
    no_leak "$PROGRAM"
}
