#!/usr/bin/env bats
# Exercise 2 (chapter 10): --rate R starts at most R fetches per second.

load ../../../tests/helpers
load ../../../tests/bin/kit

teardown() { stop_servers; }

# takes: 1 s
@test "--rate 10: five fetches start 0.1 s apart, and all arrive" {
    start_server
    u="$SLOW/slow?bytes=10"
    run "$PROGRAM" --rate 10 "$u" "$u" "$u" "$u" "$u"
    [ "$status" -eq 0 ]
    [[ $output == *"coroutines: 5 fetched, 0 failed, 50 bytes in "* ]]
    for i in 2 3 4 5; do
        start=$(result_line $i | awk '{print $4}')
        check "$start >= ($i - 1) * 0.1 - 0.01 && $start < ($i - 1) * 0.1 + 0.1"
    done
}

# takes: 1 s
@test "waiting for a slot does not block the others: slow pages overlap" {
    start_server
    u="$SLOW/slow?delay=0.5"
    run "$PROGRAM" --rate 20 "$u" "$u" "$u" "$u"
    [ "$status" -eq 0 ]
    check "$(summary_seconds) >= 0.64 && $(summary_seconds) < 1.2"
}
