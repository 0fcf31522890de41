#!/usr/bin/env bats
# Exercise 3 (chapter 07): --total-ms stops the run; finished fetches keep results.
load ../../../tests/helpers
load ../../../tests/bin/kit
teardown() { stop_servers; }

# takes: 1 s
@test "--total-ms 500: the quick page is fetched, the others are stopped at 0.5 s" {
    start_server
    run "$PROGRAM" --total-ms 500 "$SLOW/slow?delay=0.1" "$SLOW/hang" "$SLOW/slow?delay=2"
    [ "$status" -eq 1 ]
    [[ $(result_line 1) == *" 200 "* ]]
    [[ $(result_line 2) == *"(stopped after 0.50 s)" ]]
    [[ $(result_line 3) == *"(stopped after 0.50 s)" ]]
    check "$(summary_seconds) >= 0.5 && $(summary_seconds) < 0.8"
}

# takes: 1.5 s
@test "--total-ms 500 while the reactor is full: the URLs still queued fail too, never started" {
    # Two servers, 550 hanging pages each: past fd 1023 the select backend
    # refuses sockets (ERANGE), so the last URLs wait in the queue.
    start_server; A=$SLOW
    start_server; B=$SLOW
    run --separate-stderr bash -c "for i in \$(seq 550); do echo '$A/hang'; echo '$B/hang'; done |
        '$PROGRAM' --total-ms 500 -"
    [ "$status" -eq 1 ]
    [[ $stderr == *"the reactor is full (ERANGE)"* ]]
    [ "$(grep -c '(stopped after 0.50 s)$' <<<"$output")" -eq 1100 ]
    [ "$(result_line 1 | awk '{print $4}')" != - ]      # started, then stopped
    [ "$(result_line 1100 | awk '{print $4}')" = - ]    # never started
    check "$(summary_seconds) >= 0.5 && $(summary_seconds) < 1.5"
}

# takes: 0.5 s
@test "when everything ends first, the run does not wait for the deadline" {
    start_server
    run "$PROGRAM" --total-ms 5000 "$SLOW/slow?delay=0.1" "$SLOW/slow?delay=0.2"
    [ "$status" -eq 0 ]
    check "$(summary_seconds) < 0.6"
}

# takes: 0.5 s
@test "--total-ms 0 is a usage error" {
    run "$PROGRAM" --total-ms 0 http://127.0.0.1:1/
    [ "$status" -eq 2 ]
    [[ $output == *"--total-ms must be a number from "* ]]   # not "unknown option"
}

# takes: 0.5 s
@test "a run stopped with fetches in flight frees everything" {
    start_server
    no_leak "$PROGRAM" --total-ms 300 "$SLOW/slow?bytes=3" "$SLOW/hang" "$SLOW/slow?delay=2"
    [ "$status" -eq 1 ]
}
