#!/usr/bin/env bats
# Chapter 06: one thread and one select() loop fetch every page at once
# (what every one-thread fetcher must do is tests/fetchers.bats); here,
# what is select()'s: past FD_SETSIZE the fetcher queues instead of
# breaking, strace sees select() do the waiting, --trace shows the loop.

load ../../../tests/helpers
load ../../../tests/trace

FETCH="$TOP/chapters/06-select/fetch"

teardown() { stop_servers; }

# urls N URL: prints URL N times, one a line (for "fetch -").
urls() { for ((i = 0; i < $1; i++)); do echo "$2"; done; }

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

@test "--trace: each wait and wake, and every step of a fetch with its fd; on stderr only" {
    start_server
    check_trace_of_three select
}
