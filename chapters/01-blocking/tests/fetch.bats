#!/usr/bin/env bats
# Chapter 01: the blocking fetcher takes the sum of the delays, and every
# kind of failure shows up as that URL's error line while the rest go on.

load ../../../tests/helpers

FETCH="$TOP/chapters/01-blocking/fetch"

teardown() { stop_servers; }

@test "four delayed pages take the sum of their delays: a staircase" {
    start_server
    run "$FETCH" --timeline "$SLOW/slow?delay=0.2" "$SLOW/slow?delay=0.3" \
                            "$SLOW/slow?delay=0.4" "$SLOW/slow?delay=0.5"
    [ "$status" -eq 0 ]
    [[ $output == *"blocking: 4 fetched, 0 failed, 4096 bytes in "* ]]
    check "$(summary_seconds) >= 1.4"
    # Each fetch starts when the one before it has ended.
    for i in 1 2 3 4; do [[ $(result_line $i) == *" 200 "*"1024"* ]]; done
    end1=$(result_line 1 | awk '{print $5}'); start2=$(result_line 2 | awk '{print $4}')
    check "$start2 >= $end1"
    [[ $output == *"timeline"* ]]
}

@test "--save writes bodies byte-identical to curl's" {
    command -v curl >/dev/null || skip "curl is not installed"
    start_server
    urls=("$SLOW/slow?bytes=0" "$SLOW/slow?bytes=1" "$SLOW/slow?bytes=70000" "$SLOW/nolength?bytes=5000")
    run "$FETCH" --save "$BATS_TEST_TMPDIR/saved" "${urls[@]}"
    [ "$status" -eq 0 ]
    for i in 1 2 3 4; do
        curl -sS -o "$BATS_TEST_TMPDIR/curl.$i" "${urls[$((i - 1))]}"
        cmp "$BATS_TEST_TMPDIR/saved/$i" "$BATS_TEST_TMPDIR/curl.$i"
    done
}

@test "a bad URL and a refused port fail alone; the others are fetched; exit 1" {
    start_server
    run --separate-stderr "$FETCH" "$SLOW/slow?bytes=10" "htp://nope" \
                                   "http://127.0.0.1:1/" "$SLOW/slow?bytes=20"
    [ "$status" -eq 1 ]
    [[ $(result_line 1) == *" 200 "* ]]
    [[ $(result_line 2) == *"error"*"scheme must be http://"* ]]
    [[ $(result_line 3) == *"error"*"connect 127.0.0.1:1: Connection refused"* ]]
    [[ $(result_line 4) == *" 200 "* ]]
    [[ $output == *"blocking: 2 fetched, 2 failed, 30 bytes in "* ]]
    [[ $stderr == *"blocking: http://127.0.0.1:1/: connect 127.0.0.1:1: Connection refused"* ]]
}

@test "/hang with --timeout 0.5 times out after about 0.5 s" {
    start_server
    run "$FETCH" --timeout 0.5 "$SLOW/hang" "$SLOW/slow?bytes=5"
    [ "$status" -eq 1 ]
    [[ $(result_line 1) == *"error"*"timed out after 0.50 s"* ]]
    [[ $(result_line 2) == *" 200 "* ]]
    end1=$(result_line 1 | awk '{print $5}')
    check "$end1 >= 0.5 && $end1 < 1.0"
}

@test "a slow trickle is cut off by --timeout too" {
    start_server
    run "$FETCH" --timeout 0.5 "$SLOW/slow?bytes=1000&chunk=10&every=0.1"
    [ "$status" -eq 1 ]
    [[ $(result_line 1) == *"timed out after 0.50 s"* ]]
}

@test "truncated, reset and garbage responses are errors; 404 is a status" {
    start_server
    run "$FETCH" "$SLOW/truncate?bytes=1000" "$SLOW/reset" "$SLOW/garbage" "$SLOW/status/404"
    [ "$status" -eq 1 ]
    [[ $(result_line 1) == *"truncated: got 500 of 1000 bytes"* ]]
    [[ $(result_line 2) == *"error"*"reset by peer"* ]]
    [[ $(result_line 3) == *"error"*"not an HTTP response"* ]]
    [[ $(result_line 4) == *" 404 "* ]]
    [[ $output == *"blocking: 1 fetched, 3 failed"* ]]
}

@test "a 1 MiB body arrives whole" {
    start_server
    run "$FETCH" --save "$BATS_TEST_TMPDIR/big" "$SLOW/slow?bytes=1048576"
    [ "$status" -eq 0 ]
    [ "$(wc -c < "$BATS_TEST_TMPDIR/big/1")" -eq 1048576 ]
    [ "$(tail -c 64 "$BATS_TEST_TMPDIR/big/1" | cut -c1-7)" = "0016383" ]
}

@test "URLs from stdin with -" {
    start_server
    run bash -c "printf '%s\n' '$SLOW/slow?bytes=1' '' '$SLOW/slow?bytes=2' | '$FETCH' -"
    [ "$status" -eq 0 ]
    [[ $output == *"blocking: 2 fetched, 0 failed, 3 bytes"* ]]
}

@test "usage errors exit 2 and say what is wrong" {
    run "$FETCH"
    [ "$status" -eq 2 ]
    run "$FETCH" --timeout nope http://x/
    [ "$status" -eq 2 ]
    [[ $output == *"--timeout"* ]]
    run "$FETCH" --bogus http://x/
    [ "$status" -eq 2 ]
    run "$FETCH" --help
    [ "$status" -eq 0 ]
    [[ $output == *"--timeout"*"--timeline"*"--save"* ]]
}
