#!/usr/bin/env bats
# Exercise 3: set() picks ADD, MOD or DEL, and survives a reused fd number.

load ../../../tests/helpers
load ../../../tests/bin/kit

# takes: 0.5 s
@test "every step of the reactor's life passes" {
    run "$PROGRAM"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "step 1 (watch for reading): ok" ]
    [ "${lines[1]}" = "step 2 (switch to writing): ok" ]
    [ "${lines[2]}" = "step 3 (watch both): ok" ]
    [ "${lines[3]}" = "step 4 (unwatch): ok" ]
    [ "${lines[4]}" = "step 5 (watch again): ok" ]
    [ "${lines[5]}" = "step 6 (a reused fd number): ok" ]
    [ "${lines[6]}" = "epoll set: all steps pass" ]
}
