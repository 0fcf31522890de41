#!/usr/bin/env bats
# Chapter 08: the deferred fetcher fetches at once (total = the slowest
# page, not the sum), and each failure becomes its URL's error line.

load ../../../tests/helpers

FETCH="$TOP/chapters/08-deferreds/fetch"

teardown() { stop_servers; }

@test "four delayed pages take about the slowest delay, not the sum" {
    start_server
    run "$FETCH" --timeline "$SLOW/slow?delay=0.2" "$SLOW/slow?delay=0.3" \
                            "$SLOW/slow?delay=0.4" "$SLOW/slow?delay=0.5"
    [ "$status" -eq 0 ]
    [[ $output == *"deferreds: 4 fetched, 0 failed, 4096 bytes in "* ]]
    check "$(summary_seconds) >= 0.5 && $(summary_seconds) < 0.75 * 1.4"
    # All four start at once.
    for i in 1 2 3 4; do
        [[ $(result_line $i) == *" 200 "*"1024"* ]]
        check "$(result_line $i | awk '{print $4}') < 0.1"
    done
}

@test "refused, bad URL, truncated, garbage and reset fail alone; exit 1" {
    start_server
    run --separate-stderr "$FETCH" "$SLOW/slow?bytes=10" "http://127.0.0.1:1/" "htp://nope" \
        "$SLOW/truncate?bytes=1000" "$SLOW/garbage" "$SLOW/reset" "$SLOW/status/404"
    [ "$status" -eq 1 ]
    [[ $(result_line 1) == *" 200 "*" 10 "* ]]
    [[ $(result_line 2) == *"error"*"(connect 127.0.0.1:1: Connection refused)" ]]
    [[ $(result_line 3) == *"error"*"(scheme must be http://, not 'htp')" ]]
    [[ $(result_line 4) == *"error"*"(truncated: got 500 of 1000 bytes)" ]]
    [[ $(result_line 5) == *"error"*"(not an HTTP response)" ]]
    [[ $(result_line 6) == *"error"*"reset by peer)" ]]
    [[ $(result_line 7) == *" 404 "* ]]
    [[ $output == *"deferreds: 2 fetched, 5 failed, "* ]]
    [[ $stderr == *"deferreds: http://127.0.0.1:1/: connect 127.0.0.1:1: Connection refused"* ]]
}

@test "/hang with --timeout 0.5 times out after about 0.5 s; the others do not wait for it" {
    start_server
    run "$FETCH" --timeout 0.5 "$SLOW/hang" "$SLOW/slow?delay=0.1"
    [ "$status" -eq 1 ]
    [[ $(result_line 1) == *"error"*"(timed out after 0.50 s)" ]]
    [[ $(result_line 2) == *" 200 "* ]]
    end1=$(result_line 1 | awk '{print $5}'); end2=$(result_line 2 | awk '{print $5}')
    check "$end1 >= 0.5 && $end1 < 1.0 && $end2 < 0.4"
}

@test "a slow trickle is cut off by --timeout" {
    start_server
    run "$FETCH" --timeout 0.5 "$SLOW/slow?bytes=1000&chunk=10&every=0.1"
    [ "$status" -eq 1 ]
    [[ $(result_line 1) == *"(timed out after 0.50 s)" ]]
}

@test "bodies are saved byte for byte, a 1 MiB one included" {
    start_server
    run "$FETCH" --save "$BATS_TEST_TMPDIR/s" "$SLOW/slow?bytes=1048576" "$SLOW/nolength?bytes=5000"
    [ "$status" -eq 0 ]
    [ "$(wc -c < "$BATS_TEST_TMPDIR/s/1")" -eq 1048576 ]
    [ "$(wc -c < "$BATS_TEST_TMPDIR/s/2")" -eq 5000 ]
}

@test "only bad URLs: the gathered deferred has fired before the reactor runs" {
    run "$FETCH" "htp://a" "http://"
    [ "$status" -eq 1 ]
    [[ $output == *"deferreds: 0 fetched, 2 failed, 0 bytes in "* ]]
}

@test "URLs from stdin, and usage errors" {
    start_server
    run bash -c "printf '%s\n' '$SLOW/slow?bytes=1' '$SLOW/slow?bytes=2' | '$FETCH' -"
    [ "$status" -eq 0 ]
    [[ $output == *"deferreds: 2 fetched, 0 failed, 3 bytes"* ]]
    run "$FETCH"
    [ "$status" -eq 2 ]
    run "$FETCH" --help
    [ "$status" -eq 0 ]
}

@test "when reactor_run fails, every page still going fails with it; exit 1" {
    start_server
    run --separate-stderr with_failing_select "$FETCH" "$SLOW/slow?delay=0.2" "$SLOW/hang"
    [ "$status" -eq 1 ]
    [[ $(result_line 1) == *"(reactor_run: Input/output error)" ]]
    [[ $(result_line 2) == *"(reactor_run: Input/output error)" ]]
    [[ $output == *"deferreds: 0 fetched, 2 failed, 0 bytes in "* ]]
    [[ $stderr != *"unhandled failure"* ]]
}
