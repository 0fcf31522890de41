#!/usr/bin/env bats
# Exercise 1: --max-failures N stops fetching after N failures and marks
# the URLs left "not tried"; without it, every URL is fetched.

load ../../../tests/helpers
load ../../../tests/bin/kit

teardown() { stop_servers; }

# takes: 1 s
@test "--max-failures 1: a /hang first, and the slow pages after it are not tried" {
    start_server
    run "$PROGRAM" --max-failures 1 --timeout 0.3 "$SLOW/hang" \
        "$SLOW/slow?delay=0.5" "$SLOW/slow?delay=0.5"
    [ "$status" -eq 1 ]
    [[ $(result_line 1) == *"error"*"timed out after 0.30 s"* ]]
    [[ $(result_line 2) == *"error"*" - "*"(not tried)" ]]
    [[ $(result_line 3) == *"error"*" - "*"(not tried)" ]]
    [[ $output == *"blocking: 0 fetched, 3 failed, 0 bytes in "* ]]
    check "$(summary_seconds) < 0.7"    # 1.3 s if it fetched them all
}

# takes: 1 s
@test "--max-failures 2 tries until the second failure; a 404 is not a failure" {
    start_server
    run "$PROGRAM" --max-failures 2 "$SLOW/status/404" "http://127.0.0.1:1/" \
        "$SLOW/slow?bytes=3" "$SLOW/garbage" "$SLOW/slow?bytes=4"
    [ "$status" -eq 1 ]
    [[ $(result_line 1) == *" 404 "* ]]
    [[ $(result_line 2) == *"Connection refused"* ]]
    [[ $(result_line 3) == *" 200 "* ]]
    [[ $(result_line 4) == *"not an HTTP response"* ]]
    [[ $(result_line 5) == *"(not tried)" ]]
    [[ $output == *"blocking: 2 fetched, 3 failed, "* ]]
}

# takes: 0.5 s
@test "without --max-failures every URL is fetched, as before" {
    start_server
    run "$PROGRAM" "http://127.0.0.1:1/" "$SLOW/slow?bytes=5"
    [ "$status" -eq 1 ]
    [[ $(result_line 2) == *" 200 "* ]]
    [[ $output != *"not tried"* ]]
}

# takes: 0.5 s
@test "--max-failures is in --help, and a bad value is a usage error" {
    run "$PROGRAM" --help
    [ "$status" -eq 0 ]
    [[ $output == *"--max-failures N"* ]]
    run "$PROGRAM" --max-failures lots http://x/
    [ "$status" -eq 2 ]
    [[ $output == *"--max-failures must be a number from "* ]]
}
