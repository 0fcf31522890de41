#!/usr/bin/env bats
# Exercise 05-2: --max-children N runs the pages in waves of N; without it,
# all at once. The starter ignores the option, so its waves never appear.

load ../../../tests/helpers
load ../../../tests/bin/kit

teardown() { stop_servers; }

six_pages() { for i in 1 2 3 4 5 6; do echo "$SLOW/slow?delay=0.25"; done; }

# takes: 2 s
@test "--max-children 2: six pages of 0.25 s in three waves" {
    start_server
    run "$PROGRAM" --max-children 2 $(six_pages)
    [ "$status" -eq 0 ]
    [[ $output == *"processes: 6 fetched, 0 failed, 6144 bytes in "* ]]
    check "$(summary_seconds) >= 0.74 && $(summary_seconds) < 1.5"
    # Pages 3 and 4 start after a page of wave 1 ended, 5 and 6 after wave 2.
    for i in 3 4; do check "$(result_line $i | awk '{print $4}') >= 0.24"; done
    for i in 5 6; do check "$(result_line $i | awk '{print $4}') >= 0.49"; done
}

# takes: 2.5 s
@test "--max-children 1 is a staircase; no option means no limit" {
    start_server
    run "$PROGRAM" --max-children 1 "$SLOW/slow?delay=0.2" "$SLOW/slow?delay=0.2" "$SLOW/slow?delay=0.2"
    [ "$status" -eq 0 ]
    check "$(summary_seconds) >= 0.59"
    run "$PROGRAM" $(six_pages)
    [ "$status" -eq 0 ]
    check "$(summary_seconds) < 0.6"
}

# takes: 0.5 s
@test "a refused port among capped children is still its own error line" {
    start_server
    run "$PROGRAM" --max-children 1 "http://127.0.0.1:1/" "$SLOW/slow?bytes=7"
    [ "$status" -eq 1 ]
    [[ $(result_line 1) == *"Connection refused"* ]]
    [[ $(result_line 2) == *" 200 "*" 7 "* ]]
}
