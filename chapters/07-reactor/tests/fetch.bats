#!/usr/bin/env bats
# Chapter 07: the chapter 06 fetcher as callbacks on the reactor, with timeouts
# as timers: the same behaviour, checked the same way; past FD_SETSIZE it
# queues the URLs the reactor refuses (ERANGE) until a fetch ends.

load ../../../tests/helpers
load ../../../tests/trace

FETCH="$TOP/chapters/07-reactor/fetch"

teardown() { stop_servers; }

# urls N URL: prints URL N times, one a line (for "fetch -").
urls() { for ((i = 0; i < $1; i++)); do echo "$2"; done; }

@test "four delayed pages overlap: the total is near the slowest, not the sum" {
    start_server
    run "$FETCH" --timeline "$SLOW/slow?delay=0.2" "$SLOW/slow?delay=0.3" \
                            "$SLOW/slow?delay=0.4" "$SLOW/slow?delay=0.5"
    [ "$status" -eq 0 ]
    [[ $output == *"reactor: 4 fetched, 0 failed, 4096 bytes in "* ]]
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
    [[ $output == *"reactor: 200 fetched, 0 failed, 204800 bytes in "* ]]
    check "$(summary_seconds) < 1.5"
}

@test "connects start 64 at a time, the loop running between: the first request leaves before the last connect" {
    # The order of system calls is the program's to decide, so this reads
    # them with strace rather than racing the server for the first answer.
    need_strace
    start_server
    urls 640 "$SLOW/slow?delay=0&bytes=10" >"$BATS_TEST_TMPDIR/urls"
    ASAN_OPTIONS=$ASAN_NO_LEAKS run strace -o "$BATS_TEST_TMPDIR/trace" \
        -e trace=connect,sendto,select,pselect6 "$FETCH" - <"$BATS_TEST_TMPDIR/urls"
    [ "$status" -eq 0 ]
    [[ $output == *"reactor: 640 fetched, 0 failed, 6400 bytes in "* ]]
    # Where in the trace are connect number 64, 65 and 640, and the first send?
    read -r c64 c65 c640 first_send < <(awk '
        /^connect\(/ { c++; if (c == 64) a = NR; if (c == 65) b = NR; if (c == 640) z = NR }
        /^sendto\(/ && !s { s = NR }
        END { print a + 0, b + 0, z + 0, s + 0 }' "$BATS_TEST_TMPDIR/trace")
    check "$c64 < $c65 && $c65 < $c640"
    # A wait between two batches: the loop ran ...
    sed -n "${c64},${c65}p" "$BATS_TEST_TMPDIR/trace" | grep -qE '^p?select6?\('
    # ... and sent the first request long before the last connect.
    check "$first_send < $c640"
}

@test "1100 pages: URLs the reactor refuses (ERANGE) wait, and all are fetched" {
    # Two servers: each side of a loopback connection costs its process one
    # fd, and one select() server cannot hold 1020 plus the next wave either.
    start_server; A=$SLOW
    start_server; B=$SLOW
    run --separate-stderr bash -c "$(declare -f urls)
        { urls 550 '$A/slow?delay=0.5&bytes=10'; urls 550 '$B/slow?delay=0.5&bytes=10'; } |
        '$FETCH' -"
    [ "$status" -eq 0 ]
    [[ $output == *"reactor: 1100 fetched, 0 failed, 11000 bytes in "* ]]
    [[ $stderr == *"reactor: fd 1024: reactor_watch: over the backend's limit (FD_SETSIZE for select): the reactor is full (ERANGE): the next URLs wait until fetches end"* ]]
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
    [[ $output == *"reactor: 3 fetched, 6 failed, 1051 bytes in "* ]]
    [[ $stderr == *"reactor: $SLOW/hang: timed out after 0.50 s"* ]]
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

@test "strace: one thread, and the waiting is done by select() in the reactor" {
    need_strace
    start_server
    ASAN_OPTIONS=$ASAN_NO_LEAKS run strace -f -c -o "$BATS_TEST_TMPDIR/strace" "$FETCH" \
        "$SLOW/slow?delay=0.2" "$SLOW/slow?delay=0.3" "$SLOW/slow?delay=0.4"
    [ "$status" -eq 0 ]
    cat "$BATS_TEST_TMPDIR/strace"
    # select, or poll/epoll should the reactor's default backend change
    grep -qE ' (pselect6|select|poll|ppoll|epoll_wait|epoll_pwait)$' "$BATS_TEST_TMPDIR/strace"
    not grep -qE ' (clone3?|fork|vfork)$' "$BATS_TEST_TMPDIR/strace"
    not grep -qE ' (nanosleep|clock_nanosleep)$' "$BATS_TEST_TMPDIR/strace"
}

@test "URLs from stdin; usage errors exit 2; --help exits 0" {
    start_server
    run bash -c "printf '%s\n' '$SLOW/slow?bytes=1' '' '$SLOW/slow?bytes=2' | '$FETCH' -"
    [ "$status" -eq 0 ]
    [[ $output == *"reactor: 2 fetched, 0 failed, 3 bytes"* ]]
    run "$FETCH"
    [ "$status" -eq 2 ]
    run "$FETCH" --timeout 0 http://x/
    [ "$status" -eq 2 ]
    [[ $output == *"--timeout must be"* ]]
    run "$FETCH" --help
    [ "$status" -eq 0 ]
    [[ $output == *"callbacks on the reactor"* ]]
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
    not grep -vE "$TRACE_LINE|^reactor: http" <<<"$stderr"   # trace lines and errors only
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
