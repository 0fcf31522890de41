#!/usr/bin/env bats
# Exercise 2: idle fds cost select and poll on every wait, not epoll.

load ../../../tests/helpers
load ../../../tests/bin/kit

# per_wait BACKEND IDLE: the microseconds of one wait.
per_wait() {
    "$PROGRAM" "$1" "$2" | sed -nE "s/^$1: $2 idle fds: ([0-9.]+) us per wait$/\1/p"
}

# takes: 3 s
@test "poll pays for every idle fd on every wait" {
    none=$(per_wait poll 0)
    many=$(per_wait poll 2000)
    [ -n "$none" ]
    [ -n "$many" ]
    check "$many > 10 * $none"
}

# takes: 5 s
@test "epoll does not look at idle fds" {
    poll_many=$(per_wait poll 2000)
    epoll_many=$(per_wait epoll 2000)
    [ -n "$poll_many" ]
    [ -n "$epoll_many" ]
    check "$epoll_many < 0.2 * $poll_many"
}

# takes: 1 s
@test "select refuses idle fds past FD_SETSIZE" {
    run "$PROGRAM" select 1100
    [ "$status" -eq 1 ]
    [[ $output == *"Numerical result out of range"* ]]
}
