#!/usr/bin/env bats
# Exercise 1 (chapter 14): N requests in N / 256 system calls.
load ../../../tests/helpers
load ../../../tests/bin/kit

# takes: 0.1 s
@test "1000 NOPs: every one completes once, in 4 io_uring_enter" {
    run_within 2 "$PROGRAM" 1000
    [[ $output != *"io_uring_setup: "* ]] || skip "io_uring is not available here: $output"
    [ "$status" -eq 0 ]
    [ "$output" = "batch: 1000 completions, 1000 distinct, 4 io_uring_enter" ]
}

# takes: 0.1 s
@test "5000 NOPs in 20 io_uring_enter; a ring's worth in 1" {
    run_within 2 "$PROGRAM" 5000
    [[ $output != *"io_uring_setup: "* ]] || skip "io_uring is not available here: $output"
    [ "$status" -eq 0 ]
    [ "$output" = "batch: 5000 completions, 5000 distinct, 20 io_uring_enter" ]
    run_within 2 "$PROGRAM" 256
    [ "$output" = "batch: 256 completions, 256 distinct, 1 io_uring_enter" ]
}
