#!/usr/bin/env bats
# Chapter 06: one thread and one select() loop fetch every page at once;
# partial reads and writes, timeouts and every kind of failure are handled
# per connection, and past FD_SETSIZE the fetcher queues instead of breaking.

load ../../../tests/helpers
load ../../../tests/trace

FETCH="$TOP/chapters/06-select/fetch"

teardown() { stop_servers; }

# urls N URL: prints URL N times, one a line (for "fetch -").
urls() { for ((i = 0; i < $1; i++)); do echo "$2"; done; }

@test "four delayed pages overlap: the total is near the slowest, not the sum" {
    start_server
    run "$FETCH" --timeline "$SLOW/slow?delay=0.2" "$SLOW/slow?delay=0.3" \
                            "$SLOW/slow?delay=0.4" "$SLOW/slow?delay=0.5"
    [ "$status" -eq 0 ]
    [[ $output == *"select: 4 fetched, 0 failed, 4096 bytes in "* ]]
    check "$(summary_seconds) >= 0.5 && $(summary_seconds) < 0.75 * 1.4"
    for i in 1 2 3 4; do
        [[ $(result_line $i) == *" 200 "*"1024"* ]]
        check "$(result_line $i | awk '{print $4}') < 0.1"   # all started at once
    done
}

@test "200 pages of 1 s take well under 1.5 s on one thread" {
    start_server
    run bash -c "$(declare -f urls); urls 200 '$SLOW/slow?delay=1' | '$FETCH' -"
    [ "$status" -eq 0 ]
    [[ $output == *"select: 200 fetched, 0 failed, 204800 bytes in "* ]]
    check "$(summary_seconds) < 1.5"
}

@test "1100 pages: the fetcher queues past FD_SETSIZE and fetches them all" {
    # Two servers: each side of a loopback connection costs its process one
    # fd, and one select() server cannot hold 1008 plus the next wave either.
    start_server; A=$SLOW
    start_server; B=$SLOW
    run --separate-stderr bash -c "$(declare -f urls)
        { urls 550 '$A/slow?delay=0.5&bytes=10'; urls 550 '$B/slow?delay=0.5&bytes=10'; } |
        '$FETCH' -"
    [ "$status" -eq 0 ]
    [[ $output == *"select: 1100 fetched, 0 failed, 11000 bytes in "* ]]
    [[ $stderr == *"select: 1100 URLs, but select() watches only fds below FD_SETSIZE (1024): at most 1008 fetches at once, the other 92 wait their turn"* ]]
    # Two waves of 0.5 s: the queued pages start when the first wave ends.
    check "$(summary_seconds) >= 1.0 && $(summary_seconds) < 2.5"
    check "$(result_line 1100 | awk '{print $4}') >= 0.5"
}

@test "a trickled body arrives whole, byte-identical to curl's" {
    command -v curl >/dev/null || skip "curl is not installed"
    start_server
    url="$SLOW/slow?bytes=5000&chunk=500&every=0.05"
    run "$FETCH" --save "$BATS_TEST_TMPDIR/saved" "$url" "$url" "$SLOW/slow?bytes=70000"
    [ "$status" -eq 0 ]
    curl -sS -o "$BATS_TEST_TMPDIR/trickle" "$url"
    curl -sS -o "$BATS_TEST_TMPDIR/big" "$SLOW/slow?bytes=70000"
    cmp "$BATS_TEST_TMPDIR/saved/1" "$BATS_TEST_TMPDIR/trickle"
    cmp "$BATS_TEST_TMPDIR/saved/2" "$BATS_TEST_TMPDIR/trickle"
    cmp "$BATS_TEST_TMPDIR/saved/3" "$BATS_TEST_TMPDIR/big"
    # Trickled over ~0.45 s, and the two trickles overlapped.
    check "$(summary_seconds) >= 0.4 && $(summary_seconds) < 0.8"
}

@test "a 1 MiB body arrives whole through many partial reads" {
    start_server
    run "$FETCH" --save "$BATS_TEST_TMPDIR/big" "$SLOW/slow?bytes=1048576"
    [ "$status" -eq 0 ]
    [ "$(wc -c < "$BATS_TEST_TMPDIR/big/1")" -eq 1048576 ]
    [ "$(tail -c 64 "$BATS_TEST_TMPDIR/big/1" | cut -c1-7)" = "0016383" ]
}

@test "every kind of failure is its URL's line; the good pages are fetched meanwhile" {
    start_server
    run --separate-stderr "$FETCH" --timeout 0.5 "$SLOW/slow?delay=0.3" \
        "http://127.0.0.1:1/" "$SLOW/hang" "$SLOW/truncate?bytes=1000" "$SLOW/reset" \
        "$SLOW/garbage" "htp://nope" "$SLOW/status/404" "$SLOW/slow?delay=0.2&bytes=7"
    [ "$status" -eq 1 ]
    [[ $(result_line 1) == *" 200 "*"1024"* ]]
    [[ $(result_line 2) == *"error"*"(connect 127.0.0.1:1: Connection refused)" ]]
    [[ $(result_line 3) == *"error"*"(timed out after 0.50 s)" ]]
    [[ $(result_line 4) == *"error"*"(truncated: got 500 of 1000 bytes)" ]]
    [[ $(result_line 5) == *"error"*"(read: Connection reset by peer)" ]]
    [[ $(result_line 6) == *"error"*"(not an HTTP response)" ]]
    [[ $(result_line 7) == *"error"*"(scheme must be http://, not 'htp')" ]]
    [[ $(result_line 8) == *" 404 "* ]]
    [[ $(result_line 9) == *" 200 "*" 7 "* ]]
    [[ $output == *"select: 3 fetched, 6 failed, 1051 bytes in "* ]]
    [[ $stderr == *"select: $SLOW/hang: timed out after 0.50 s"* ]]
    # The hang cost 0.5 s once, in parallel with the rest: not added to them.
    end3=$(result_line 3 | awk '{print $5}')
    check "$end3 >= 0.5 && $end3 < 0.9 && $(summary_seconds) < 0.9"
}

@test "the timeout is per fetch: a trickle that outlasts it is cut off" {
    start_server
    run "$FETCH" --timeout 0.5 "$SLOW/slow?bytes=1000&chunk=10&every=0.1" "$SLOW/slow?delay=0.1"
    [ "$status" -eq 1 ]
    [[ $(result_line 1) == *"(timed out after 0.50 s)" ]]
    [[ $(result_line 2) == *" 200 "* ]]
}

@test "strace: one thread, and the waiting is done by select()" {
    need_strace
    start_server
    ASAN_OPTIONS=$ASAN_NO_LEAKS run strace -f -c -o "$BATS_TEST_TMPDIR/strace" "$FETCH" \
        "$SLOW/slow?delay=0.2" "$SLOW/slow?delay=0.3" "$SLOW/slow?delay=0.4"
    [ "$status" -eq 0 ]
    cat "$BATS_TEST_TMPDIR/strace"
    grep -qE ' (p?select6?|select)$' "$BATS_TEST_TMPDIR/strace"
    not grep -qE ' (clone3?|fork|vfork)$' "$BATS_TEST_TMPDIR/strace"
    not grep -qE ' (poll|ppoll|epoll_wait|nanosleep|clock_nanosleep)$' "$BATS_TEST_TMPDIR/strace"
}

@test "URLs from stdin; usage errors exit 2; --help exits 0" {
    start_server
    run bash -c "printf '%s\n' '$SLOW/slow?bytes=1' '' '$SLOW/slow?bytes=2' | '$FETCH' -"
    [ "$status" -eq 0 ]
    [[ $output == *"select: 2 fetched, 0 failed, 3 bytes"* ]]
    run "$FETCH"
    [ "$status" -eq 2 ]
    run "$FETCH" --timeout 0 http://x/
    [ "$status" -eq 2 ]
    [[ $output == *"--timeout must be"* ]]
    run "$FETCH" --help
    [ "$status" -eq 0 ]
    [[ $output == *"select() loop"* ]]
}

@test "--trace: each wait and wake, and every step of a fetch with its fd; on stderr only" {
    start_server
    urls=("$SLOW/slow?delay=0.1&bytes=100" "$SLOW/truncate?bytes=1000" "$SLOW/hang")
    run --separate-stderr "$FETCH" --timeout 0.5 "${urls[@]}"
    [ "$status" -eq 1 ]
    plain=$output
    [ -z "$(trace_lines)" ]                       # no --trace, no trace
    run --separate-stderr "$FETCH" --trace --timeout 0.5 "${urls[@]}"
    [ "$status" -eq 1 ]
    [ "$(mask_times <<<"$output")" = "$(mask_times <<<"$plain")" ]   # stdout unchanged
    not grep -qE "$TRACE_LINE" <<<"$output"
    not grep -vE "$TRACE_LINE|^select: http" <<<"$stderr"   # trace lines and errors only
    check_trace_shape
    trace_lines | grep -qE 'wait +3 fds, timeout 0\.[0-9]{3} s$'
    trace_lines | grep -qE 'wake +[1-3] ready$'
    fetched='^connect started,connected,(sent [0-9]+ bytes,)+(read [1-9][0-9]* bytes,)+close$'
    [[ $(trace_steps "$(trace_fd 1)") =~ $fetched ]]
    truncated='^connect started,connected,(sent [0-9]+ bytes,)+(read [1-9][0-9]* bytes,)+read 0 bytes \(end of stream\),close$'
    [[ $(trace_steps "$(trace_fd 2)") =~ $truncated ]]
    timed_out='^connect started,connected,(sent [0-9]+ bytes,)+timed out,close$'
    [[ $(trace_steps "$(trace_fd 3)") =~ $timed_out ]]
}
