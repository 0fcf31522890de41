#!/usr/bin/env bats
# Exercise 3 (chapter 07): --total-ms stops the run; finished fetches keep results.
load ../../../tests/helpers
teardown() { stop_servers; }

@test "--total-ms 500: the quick page is fetched, the others are stopped at 0.5 s" {
    start_server
    run "$PROGRAM" --total-ms 500 "$SLOW/slow?delay=0.1" "$SLOW/hang" "$SLOW/slow?delay=2"
    [ "$status" -eq 1 ]
    [[ $(result_line 1) == *" 200 "* ]]
    [[ $(result_line 2) == *"(stopped after 0.50 s)" ]]
    [[ $(result_line 3) == *"(stopped after 0.50 s)" ]]
    check "$(summary_seconds) >= 0.5 && $(summary_seconds) < 0.8"
}

@test "when everything ends first, the run does not wait for the deadline" {
    start_server
    run "$PROGRAM" --total-ms 5000 "$SLOW/slow?delay=0.1" "$SLOW/slow?delay=0.2"
    [ "$status" -eq 0 ]
    check "$(summary_seconds) < 0.6"
}

@test "--total-ms 0 is a usage error" {
    run "$PROGRAM" --total-ms 0 http://127.0.0.1:1/
    [ "$status" -eq 2 ]
}
