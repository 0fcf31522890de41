#!/usr/bin/env bats
# Chapter 07: the reactor's rules (reactor.h), each shown by a subcommand of
# reactor-check that prints what happened, in order.

load ../../../tests/helpers

CHECK="$TOP/chapters/07-reactor/reactor-check"

@test "timers fire in due order; equal delays in the order they were added" {
    run "$CHECK" order
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "0ms" ]
    [ "${lines[1]}" = "10ms" ]
    [ "${lines[2]}" = "20ms first" ]
    [ "${lines[3]}" = "20ms second" ]
    [ "${lines[4]}" = "20ms third" ]
    [ "${lines[5]}" = "30ms" ]
    [[ ${lines[6]} == "reactor_run returned 0 after 0.0"* ]]
    [ "${#lines[@]}" -eq 7 ]
}

@test "cancel: before run, another pending timer from a callback, itself while running" {
    run "$CHECK" cancel
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "cancels the next timer" ]
    [ "${lines[1]}" = "cancels itself while running" ]
    [ "${lines[2]}" = "last" ]
    [[ ${lines[3]} == "reactor_run returned 0 after "* ]]
    [[ $output != *"never printed"* ]]
}

@test "a timer added by a timer waits for the next round of timers (fds get their turn first)" {
    run "$CHECK" same-pass
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "timer 1: adds timer 2 (0 s) and makes a pipe readable" ]
    [ "${lines[1]}" = "fd handler: readable" ]
    [ "${lines[2]}" = "timer 2" ]
}

@test "a handler may unwatch and close its own fd; run then returns, nothing left" {
    run "$CHECK" unwatch-self
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == "handler call 1: unwatched and closed fd "* ]]
    [[ ${lines[1]} == "reactor_run returned 0 after "* ]]
    [ "${#lines[@]}" -eq 2 ]
}

@test "an fd closed and reused in the same pass is not called with the old readiness" {
    run "$CHECK" reuse
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == "first handler: fd "*" now is a new pipe" ]]
    [[ $output != *WRONG* ]]
    [ "${#lines[@]}" -eq 2 ]
}

@test "reactor_stop from a timer: the pass ends, run returns with an fd still watched" {
    run "$CHECK" stop
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "timer: reactor_stop" ]
    [ "${lines[1]}" = "same pass as the stop: still runs" ]
    [[ ${lines[2]} == "reactor_run returned 0 after 0.0"* ]]
    [[ $output != *WRONG* ]]
}

@test "run returns at once when nothing is watched and no timer is pending" {
    run "$CHECK" idle
    [ "$status" -eq 0 ]
    [ "$output" = "reactor_run returned 0 after 0.00 s" ]
}

@test "handlers may add new watches" {
    run "$CHECK" new-watch
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == "link 1 read; watching a new fd "* ]]
    [[ ${lines[1]} == "link 2 read; watching a new fd "* ]]
    [ "${lines[2]}" = "link 3 read; the end" ]
    [[ ${lines[3]} == "reactor_run returned 0 after "* ]]
}

@test "a timer due never (+inf) does not break the wait: the backend clamps the timeout" {
    run "$CHECK" far
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "fd handler: readable; cancels the timer due in +inf s" ]
    [[ ${lines[1]} == "reactor_run returned 0 after 0.0"* ]]
    [ "${#lines[@]}" -eq 2 ]
}

@test "the select backend refuses fd FD_SETSIZE with ERANGE, a negative fd with EINVAL" {
    [ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -gt 1024 ] || skip "fd limit is 1024"
    run "$CHECK" erange
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "watch fd 1024: -1, ERANGE" ]
    [ "${lines[1]}" = "watch fd -1: -1, EINVAL" ]
}

@test "reactor-check: an unknown check exits 2" {
    run "$CHECK" nope
    [ "$status" -eq 2 ]
    [[ $output == *"no check named 'nope'"* ]]
    run "$CHECK"
    [ "$status" -eq 2 ]
}
