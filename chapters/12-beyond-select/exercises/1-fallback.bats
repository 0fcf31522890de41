#!/usr/bin/env bats
# Exercise 1: at select's wall the program moves to poll and every
# connection completes.

load ../../../tests/helpers
load ../../../tests/bin/kit

teardown() { stop_servers; }

# takes: 1 s
@test "1500 connections: the switch at fd 1024, then all complete on poll" {
    hard=$(ulimit -Hn)
    [ "$hard" = unlimited ] || [ "$hard" -ge 1600 ] || skip "ulimit -Hn is $hard, below 1600"
    start_server --backend epoll
    WAITLESS_BACKEND= run "$PROGRAM" 1500 "$SLOW/slow?delay=0.3"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "switched from select to poll at fd 1024" ]
    [ "${lines[1]}" = "fallback(poll): 1500 completed, 0 failed" ]
}

# takes: 0.5 s
@test "below the wall nothing changes" {
    start_server
    WAITLESS_BACKEND= run "$PROGRAM" 50 "$SLOW/slow?delay=0.1"
    [ "$status" -eq 0 ]
    [ "$output" = "fallback(select): 50 completed, 0 failed" ]
}
