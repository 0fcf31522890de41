#!/usr/bin/env bats
# Chapter 15: connections kept and reused. The done-when (10,000 pages over
# 32 kept connections in at most half the time of a connection each, with
# exactly 32 connects), the pool as the concurrency limit, head-of-line
# blocking, a stale connection retried, pipelining, chunked bodies.

load ../../../tests/helpers

FETCH="$TOP/chapters/15-reuse/fetch"
REACTOR="$TOP/chapters/07-reactor/fetch"

teardown() { stop_servers; }

# urls N URL: prints URL N times, one a line (for "fetch -").
urls() { for ((i = 0; i < $1; i++)); do echo "$2"; done; }

# connects: the connect calls in strace -c output $BATS_TEST_TMPDIR/count.
connects() { awk '$NF == "connect" { print $4 }' "$BATS_TEST_TMPDIR/count"; }

@test "--help names --connections and --pipeline; bad values are usage errors" {
    run "$FETCH" --help
    [ "$status" -eq 0 ]
    [[ $output == *"--connections N"*"--pipeline K"*"--trace"* ]]
    run "$FETCH" --connections 0 http://127.0.0.1:1/
    [ "$status" -eq 2 ]
    run "$FETCH" --pipeline 101 http://127.0.0.1:1/
    [ "$status" -eq 2 ]
}

@test "done when: 10,000 pages over 32 kept connections take at most half the time of one each, with 32 connects" {
    need_strace
    [ -x "$REACTOR" ] || skip "chapter 07's fetch is not built"
    start_server --backend epoll
    urls 10000 "$SLOW/slow?delay=0&bytes=1024" >"$BATS_TEST_TMPDIR/urls"
    t0=$(now)
    run timeout 60 "$FETCH" --connections 32 - <"$BATS_TEST_TMPDIR/urls"
    t1=$(now)
    [ "$status" -eq 0 ]
    [[ ${lines[-1]} == "reuse: 10000 fetched, 0 failed, 10240000 bytes in "* ]]
    WAITLESS_BACKEND=epoll run timeout 60 "$REACTOR" - <"$BATS_TEST_TMPDIR/urls"
    t2=$(now)
    [ "$status" -eq 0 ]
    [[ ${lines[-1]} == "reactor: 10000 fetched, 0 failed, 10240000 bytes in "* ]]
    echo "# kept: $(awk "BEGIN { print $t1 - $t0 }") s, one each: $(awk "BEGIN { print $t2 - $t1 }") s" >&3
    # Under the sanitizers both sides spend most of their time checking
    # memory, not connecting: there the kept ones need only be faster.
    if [ "$(cat "$TOP/.flavor" 2>/dev/null)" = sanitize ]; then
        check "$t1 - $t0 < $t2 - $t1"
    else
        check "($t1 - $t0) * 2 <= $t2 - $t1"
    fi
    ASAN_OPTIONS=$ASAN_NO_LEAKS run timeout 120 strace -f -c -o "$BATS_TEST_TMPDIR/count" \
        -e trace=connect "$FETCH" --connections 32 - <"$BATS_TEST_TMPDIR/urls"
    [ "$status" -eq 0 ]
    [ "$(connects)" -eq 32 ]
}

@test "the pool size is the concurrency limit: 20 pages of 0.5 s over 4 connections come in 5 waves" {
    start_server
    run timeout 20 "$FETCH" --connections 4 $(urls 20 "$SLOW/slow?delay=0.5&bytes=10")
    [ "$status" -eq 0 ]
    check "$(summary_seconds) >= 2.5 && $(summary_seconds) < 3.5"
    # Each wave's starts are 0.5 s after the last's: 4 at about 0, 4 at 0.5, ...
    waves=$(awk '$2 == 200 { printf "%d\n", $4 / 0.5 + 0.25 }' <<<"$output" | sort -n | uniq -c |
            awk '{ printf "%s%s", sep, $1; sep = " " }')
    [ "$waves" = "4 4 4 4 4" ]
}

@test "head-of-line blocking: a 1 s page pipelined ahead of a fast one holds it back; on two connections it does not" {
    start_server
    run timeout 20 "$FETCH" --connections 1 --pipeline 2 "$SLOW/slow?delay=1" "$SLOW/slow?delay=0"
    [ "$status" -eq 0 ]
    fast_end=$(awk '$1 == 2 { print $5 }' <<<"$output")
    check "$fast_end >= 1"
    run timeout 20 "$FETCH" --connections 2 --pipeline 2 "$SLOW/slow?delay=1" "$SLOW/slow?delay=0"
    [ "$status" -eq 0 ]
    fast_end=$(awk '$1 == 2 { print $5 }' <<<"$output")
    check "$fast_end < 0.5"
}

@test "a stale connection: the server closes it as the next request comes; that GET is retried once, and --trace says so" {
    start_server
    run --separate-stderr timeout 20 "$FETCH" --trace --connections 1 \
        "$SLOW/slow?bytes=5&stale=1" "$SLOW/slow?bytes=6"
    [ "$status" -eq 0 ]
    [[ $output == *"reuse: 2 fetched, 0 failed, 11 bytes in "* ]]
    [[ $stderr == *"stale: closed by the server before answering request 2 on it; retrying the GET once"* ]]
    [[ $stderr == *"pool: 2 connections opened"* ]]
    [ "$(grep -c 'stale: closed by the server' <<<"$stderr")" -eq 1 ]
}

@test "pipelining: 200 pages, 8 in flight on each of 2 connections, all answered in order" {
    start_server
    run timeout 20 "$FETCH" --connections 2 --pipeline 8 --save "$BATS_TEST_TMPDIR/bodies" \
        $(for i in $(seq 200); do echo "$SLOW/slow?bytes=$i"; done)
    [ "$status" -eq 0 ]
    [[ ${lines[-1]} == "reuse: 200 fetched, 0 failed, 20100 bytes in "* ]]
    for i in 1 77 200; do [ "$(wc -c <"$BATS_TEST_TMPDIR/bodies/$i")" -eq "$i" ]; done
}

@test "chunked answers are read to their last chunk, and the connection is reused" {
    command -v curl >/dev/null || skip "curl is not installed"
    start_server
    run --separate-stderr timeout 20 "$FETCH" --trace --connections 1 --save "$BATS_TEST_TMPDIR/b" \
        "$SLOW/slow?bytes=100000&chunked=1" "$SLOW/slow?bytes=3000&chunked=1&chunk=1000&every=0.05"
    [ "$status" -eq 0 ]
    [[ $stderr == *"pool: 1 connections opened"* ]]
    cmp "$BATS_TEST_TMPDIR/b/1" <(curl -s "$SLOW/slow?bytes=100000")
    cmp "$BATS_TEST_TMPDIR/b/2" <(curl -s "$SLOW/slow?bytes=3000")
}

@test "--max-requests 3 on the server: 10 pages over one connection need 4 connects" {
    start_server --max-requests 3
    run --separate-stderr timeout 20 "$FETCH" --trace --connections 1 $(urls 10 "$SLOW/slow?bytes=1")
    [ "$status" -eq 0 ]
    [[ $stderr == *"pool: 4 connections opened"* ]]
}

@test "a page that fails (truncated, reset, garbage) fails alone; the others are fetched" {
    start_server
    run timeout 20 "$FETCH" --connections 1 --pipeline 3 "$SLOW/slow?bytes=1" \
        "$SLOW/truncate?bytes=100" "$SLOW/slow?bytes=2" "$SLOW/reset" "$SLOW/slow?bytes=3" \
        "$SLOW/garbage" "$SLOW/slow?bytes=4"
    [ "$status" -eq 1 ]
    [[ ${lines[-1]} == "reuse: 4 fetched, 3 failed, 10 bytes in "* ]]
}

@test "--timeout counts from when a page has a connection: waiting for one is not timed" {
    start_server
    run timeout 20 "$FETCH" --timeout 0.8 --connections 1 "$SLOW/slow?delay=0.5" "$SLOW/slow?delay=0.5"
    [ "$status" -eq 0 ]
    run timeout 20 "$FETCH" --timeout 0.3 --connections 1 "$SLOW/slow?delay=0.5" "$SLOW/slow?bytes=2"
    [ "$status" -eq 1 ]
    [[ $output == *"timed out after 0.30 s"* ]]
    [[ ${lines[-1]} == "reuse: 1 fetched, 1 failed, 2 bytes in "* ]]
}

@test "an answer nobody asked for closes the connection; a close before any answer on a new one is not retried" {
    start_server
    run --separate-stderr timeout 20 "$FETCH" --trace --connections 1 --save "$BATS_TEST_TMPDIR/b" \
        "$SLOW/close" "$SLOW/twice" "$SLOW/slow?bytes=3"
    [ "$status" -eq 1 ]
    [[ ${lines[1]} == *"empty response"* ]]
    [[ $stderr != *"stale:"* ]]             # a new connection: the server meant it
    [ "$(cat "$BATS_TEST_TMPDIR/b/2")" = "once" ]
    [ "$(cat "$BATS_TEST_TMPDIR/b/3")" = "000" ]
    [[ $stderr == *"pool: 3 connections opened"* ]]
}
