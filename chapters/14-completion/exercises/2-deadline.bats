#!/usr/bin/env bats
# Exercise 2 (chapter 14): each RECV linked to a LINK_TIMEOUT.
load ../../../tests/helpers
load ../../../tests/bin/kit
teardown() { stop_servers; }

# timed SECONDS URL: runs the program (1.5 s at most) and sets ELAPSED.
timed() {
    local t0
    t0=$(now)
    run_within 1.5 "$PROGRAM" "$@"
    ELAPSED=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { print b - a }')
    [[ $output != *"io_uring_setup: "* ]] || skip "io_uring is not available here: $output"
}

# takes: 0.4 s
@test "/hang with 0.3 s gives up after 0.3 s" {
    start_server
    timed 0.3 "$SLOW/hang"
    [ "$status" -eq 1 ]
    [ "$output" = "deadline: timed out after 0.30 s" ]
    check "$ELAPSED >= 0.3 && $ELAPSED < 1.5"
}

# takes: 0.4 s
@test "a trickle of 0.6 s is cut off at 0.3 s: the deadline is for the whole answer" {
    start_server
    timed 0.3 "$SLOW/slow?bytes=600&chunk=100&every=0.1"
    [ "$status" -eq 1 ]
    [ "$output" = "deadline: timed out after 0.30 s" ]
    check "$ELAPSED >= 0.3 && $ELAPSED < 1.5"
}

# takes: 0.2 s
@test "a page of 0.1 s within 2 s is fetched whole" {
    start_server
    timed 2 "$SLOW/slow?delay=0.1&bytes=5000"
    [ "$status" -eq 0 ]
    [ "$output" = "deadline: 200, 5000 bytes" ]
}
