#!/usr/bin/env bats
# Exercise 02.3: the first failure is reported when it happens, not when
# the slowest task is done; without failures, after the slowest task.
load ../../../tests/helpers
load ../../../tests/bin/kit
teardown() { stop_servers; }

seconds_of() { sed -nE "s/^$1 at ([0-9.]+) s.*/\1/p" <<<"$output"; }

# takes: 2 s
@test "a refused port is reported at once, while a 1 s page is still loading" {
    start_server
    run "$PROGRAM" "$SLOW/slow?delay=1" "http://127.0.0.1:1/" "$SLOW/slow?delay=0.2"
    [ "$status" -eq 1 ]
    [[ ${lines[0]} == "first failure at "*" s: http://127.0.0.1:1/" ]]
    check "$(seconds_of 'first failure') < 0.5"
    check "$(seconds_of 'all done') >= 1.0"
}

# takes: 1 s
@test "the first failure in time wins, not the first in the list" {
    start_server
    run "$PROGRAM" "$SLOW/reset?delay=0.5" "$SLOW/slow?delay=0.1" "$SLOW/truncate?bytes=100&delay=0.2"
    [ "$status" -eq 1 ]
    [[ ${lines[0]} == "first failure at "*" s: $SLOW/truncate?bytes=100&delay=0.2" ]]
    check "$(seconds_of 'first failure') >= 0.2 && $(seconds_of 'first failure') < 0.45"
}

# takes: 1 s
@test "without failures: no failure, after the slowest task" {
    start_server
    run "$PROGRAM" "$SLOW/slow?delay=0.2" "$SLOW/slow?delay=0.5"
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == "no failure, at "* ]]
    check "$(seconds_of 'no failure,') >= 0.5"
}
