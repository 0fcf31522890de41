#!/usr/bin/env bats
# Timer handles are safe by construction (common/reactor.h): cancel is safe
# to repeat, after the timer fired, from inside its callback, and after
# reactor_free; a callback may free the struct its timer lives in. Run under
# ASan (make sanitize), a use after free or a double free fails the test.

load helpers

TIMERCHECK="$TOP/tests/drivers/timercheck"

@test "cancelling fired, cancelled, running and never-armed timers is safe" {
    run timeout 10 "$TIMERCHECK"
    [ "$status" -eq 0 ]
    not grep -q WRONG <<<"$output"
    [ "$(grep -c '^ok: ' <<<"$output")" -eq 7 ]
}

@test "timers fire once each; a re-armed timer moves; a call soon runs after the due timers of its pass" {
    run timeout 10 "$TIMERCHECK"
    [ "$status" -eq 0 ]
    fired=$(grep -E '^(fired|fd handler)' <<<"$output")
    [ "$fired" = "fd handler: arms a call soon
fired: fired
fired: tick 1
fired: job 1 frees itself
fired: job 2 frees itself
fired: soon, after the fd handlers
fired: tick 2
fired: tick 3
fired: moved" ]
}
