#!/usr/bin/env bats
# Exercise 2: --retries N tries a failed fetch up to N more times, and no
# more; a fetched page (any status) is not tried again. The slow server
# runs with --verbose, so its log counts the requests it received.

load ../../../tests/helpers
load ../../../tests/bin/kit

teardown() { stop_servers; }

# requests PATH: how many requests for PATH the server logged.
requests() { grep -c "GET $1 HTTP" "$BATS_TEST_TMPDIR/server.0.log" || true; }

# takes: 0.5 s
@test "--retries 2: a truncated page is asked for three times, then fails" {
    start_server --verbose
    run "$PROGRAM" --retries 2 "$SLOW/truncate?bytes=1000" "$SLOW/slow?bytes=7"
    [ "$status" -eq 1 ]
    [ "$(requests '/truncate?bytes=1000')" -eq 3 ]
    [ "$(requests '/slow?bytes=7')" -eq 1 ]
    [[ $(result_line 1) == *"error"*"(truncated: got 500 of 1000 bytes)" ]]
    [[ $(result_line 2) == *" 200 "* ]]
    [[ $output == *"blocking: 1 fetched, 1 failed, 7 bytes in "* ]]
}

# takes: 1 s
@test "--retries 1 on a /hang: two timeouts, and the line spans both" {
    start_server --verbose
    run "$PROGRAM" --retries 1 --timeout 0.3 "$SLOW/hang"
    [ "$status" -eq 1 ]
    [ "$(requests /hang)" -eq 2 ]
    [[ $(result_line 1) == *"(timed out after 0.30 s)" ]]
    start1=$(result_line 1 | awk '{print $4}'); end1=$(result_line 1 | awk '{print $5}')
    check "$end1 - $start1 >= 0.55"
}

# takes: 0.5 s
@test "a 404 is a fetched page: not retried; without --retries nothing is" {
    start_server --verbose
    run "$PROGRAM" --retries 3 "$SLOW/status/404"
    [ "$status" -eq 0 ]
    [ "$(requests /status/404)" -eq 1 ]
    run "$PROGRAM" "$SLOW/garbage"
    [ "$status" -eq 1 ]
    [ "$(requests /garbage)" -eq 1 ]
}

# takes: 0.5 s
@test "--retries is in --help, and a bad value is a usage error" {
    run "$PROGRAM" --help
    [ "$status" -eq 0 ]
    [[ $output == *"--retries N"* ]]
    run "$PROGRAM" --retries -1 http://x/
    [ "$status" -eq 2 ]
    [[ $output == *"--retries must be a number from 0 to 10"* ]]
}
