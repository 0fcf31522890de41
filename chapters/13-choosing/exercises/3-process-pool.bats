#!/usr/bin/env bats
# Exercise 3: a pool of N processes, results through shared memory.
load ../../../tests/helpers
load ../../../tests/bin/kit
teardown() { stop_servers; }

# takes: 2 s
@test "8 pages of 0.3 s in 4 processes: two waves, every result back" {
    start_server
    urls=(); for i in 1 2 3 4 5 6 7 8; do urls+=("$SLOW/slow?delay=0.3"); done
    run "$TOP/chapters/13-choosing/measure" -- "$PROGRAM" --processes 4 "${urls[@]}"
    [ "$status" -eq 0 ]
    [[ $output == *"process-pool: 8 fetched, 0 failed, 8192 bytes in "* ]]
    check "$(summary_seconds) < 1.2"                 # one after another: 2.4 s
    [[ $output =~ peak_processes=([0-9]+) ]]
    [ "${BASH_REMATCH[1]}" -ge 5 ]                   # the parent and 4 workers
    for i in 1 2 3 4 5 6 7 8; do [[ $(result_line $i) == *" 200 "*"1024"* ]]; done
}

# takes: 1 s
@test "a bad URL fails alone, with its reason, in the parent's report" {
    start_server
    run "$PROGRAM" --processes 2 "$SLOW/slow?bytes=10" "http://127.0.0.1:1/" "$SLOW/slow?bytes=20"
    [ "$status" -eq 1 ]
    [[ $(result_line 2) == *"error"*"connect 127.0.0.1:1: Connection refused"* ]]
    [[ $output == *"process-pool: 2 fetched, 1 failed, 30 bytes in "* ]]
}
