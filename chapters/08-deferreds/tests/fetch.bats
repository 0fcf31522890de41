#!/usr/bin/env bats
# Chapter 08: the deferred fetcher fetches at once (total = the slowest
# page, not the sum), and each failure becomes its URL's error line: that
# it does what every one-thread fetcher does is tests/fetchers.bats; here,
# what is the deferreds'.

load ../../../tests/helpers

FETCH="$TOP/chapters/08-deferreds/fetch"

teardown() { stop_servers; }

@test "/hang with --timeout 0.5 times out after about 0.5 s; the others do not wait for it" {
    start_server
    run "$FETCH" --timeout 0.5 "$SLOW/hang" "$SLOW/slow?delay=0.1"
    [ "$status" -eq 1 ]
    [[ $(result_line 1) == *"error"*"(timed out after 0.50 s)" ]]
    [[ $(result_line 2) == *" 200 "* ]]
    end1=$(result_line 1 | awk '{print $5}'); end2=$(result_line 2 | awk '{print $5}')
    check "$end1 >= 0.5 && $end1 < 1.0 && $end2 < 0.4"
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

@test "when reactor_run fails, every page still going fails with it; exit 1" {
    start_server
    run --separate-stderr with_failing_select "$FETCH" "$SLOW/slow?delay=0.2" "$SLOW/hang"
    [ "$status" -eq 1 ]
    [[ $(result_line 1) == *"(reactor_run: Input/output error)" ]]
    [[ $(result_line 2) == *"(reactor_run: Input/output error)" ]]
    [[ $output == *"deferreds: 0 fetched, 2 failed, 0 bytes in "* ]]
    [[ $stderr != *"unhandled failure"* ]]
}
