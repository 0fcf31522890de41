#!/usr/bin/env bats
# Exercise 2 (chapter 15): --retries N for a GET on a stale connection.
load ../../../tests/helpers
load ../../../tests/bin/kit
teardown() { stop_servers; }

# takes: 1 s
@test "--retries 0: the page behind a stale connection fails" {
    start_server
    run --separate-stderr "$PROGRAM" --retries 0 --connections 1 \
        "$SLOW/slow?bytes=5&stale=1" "$SLOW/slow?bytes=6"
    [ "$status" -eq 1 ]
    [[ $(result_line 2) == *"empty response"* ]]
}

# takes: 1 s
@test "by default one retry, and the trace counts it" {
    start_server
    run --separate-stderr "$PROGRAM" --trace --connections 1 \
        "$SLOW/slow?bytes=5&stale=1" "$SLOW/slow?bytes=6"
    [ "$status" -eq 0 ]
    [[ $(result_line 2) == *" 200 "*" 6 "* ]]
    [[ $stderr == *"stale: closed by the server before answering request 2 on it; retry 1 of 1"* ]]
}

# takes: 1 s
@test "--retries must be from 0 to 5" {
    run "$PROGRAM" --retries 6 http://127.0.0.1:1/
    [ "$status" -eq 2 ]
    [[ $output == *"--retries must be a number from "* ]]
}
