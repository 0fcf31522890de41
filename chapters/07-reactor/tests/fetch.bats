#!/usr/bin/env bats
# Chapter 07: the chapter 06 fetcher as callbacks on the reactor, with timeouts
# as timers: the same behaviour, checked by tests/fetchers.bats; here, the
# reactor's part: connects in batches, past FD_SETSIZE the URLs the reactor
# refuses (ERANGE) wait until a fetch ends, strace, --trace.

load ../../../tests/helpers
load ../../../tests/trace

FETCH="$TOP/chapters/07-reactor/fetch"

teardown() { stop_servers; }

# urls N URL: prints URL N times, one a line (for "fetch -").
urls() { for ((i = 0; i < $1; i++)); do echo "$2"; done; }

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

@test "--trace: each wait and wake, and every step of a fetch with its fd; on stderr only" {
    start_server
    check_trace_of_three reactor
}
