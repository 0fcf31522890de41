#!/usr/bin/env bats
# Exercise 3 (chapter 14): a SEND's buffer must live until its completion.
load ../../../tests/helpers
load ../../../tests/bin/kit
teardown() { stop_servers; }

# takes: 0.1 s
@test "ten URLs asking for 1..10 bytes get 1..10 bytes, each its own" {
    start_server
    local urls=() want=""
    for i in $(seq 10); do urls+=("$SLOW/slow?bytes=$i"); want+="$i: 200 $i"$'\n'; done
    run_within 2 "$PROGRAM" "${urls[@]}"
    [[ $output != *"io_uring_setup: "* ]] || skip "io_uring is not available here: $output"
    [ "$output" = "${want%$'\n'}" ]
    [ "$status" -eq 0 ]
}
