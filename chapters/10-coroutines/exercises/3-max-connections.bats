#!/usr/bin/env bats
# Exercise 3 (chapter 10): --max N holds at most N connections at once.

load ../../../tests/helpers
load ../../../tests/bin/kit

teardown() { stop_servers; }

# takes: 1.5 s
@test "--max 2 on six pages of 0.3 s: three waves" {
    start_server
    u="$SLOW/slow?delay=0.3"
    run "$PROGRAM" --max 2 "$u" "$u" "$u" "$u" "$u" "$u"
    [ "$status" -eq 0 ]
    [[ $output == *"coroutines: 6 fetched, 0 failed, 6144 bytes in "* ]]
    check "$(summary_seconds) >= 0.85 && $(summary_seconds) < 1.5"
}

# takes: 2 s
@test "failed fetches give their slot back" {
    start_server
    run "$PROGRAM" --max 1 "http://127.0.0.1:1/" "htp://x" "$SLOW/slow?delay=0.2" "$SLOW/slow?delay=0.2"
    [ "$status" -eq 1 ]
    [[ $output == *"coroutines: 2 fetched, 2 failed, "* ]]
    check "$(summary_seconds) >= 0.38 && $(summary_seconds) < 1.0"
}
