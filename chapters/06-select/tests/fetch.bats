#!/usr/bin/env bats
# Chapter 06: one thread and one select() loop fetch every page at once
# (what every one-thread fetcher must do is tests/fetchers.bats); here,
# what is select()'s: an fd past FD_SETSIZE fails its URL instead of
# breaking the set, strace sees select() do the waiting, --trace shows the
# loop, a select() interrupted (EINTR) is no event, and a failing select()
# fails every fetch in flight. (What a name costs 06, a lookup that blocks
# and a silent address, is tests/names.bats.)

load ../../../tests/helpers
load ../../../tests/trace

FETCH="$TOP/chapters/06-select/fetch"

teardown() { stop_servers; }

# urls N URL: prints URL N times, one a line (for "fetch -").
urls() { for ((i = 0; i < $1; i++)); do echo "$2"; done; }

@test "1100 pages at once: those whose fd is over FD_SETSIZE fail, saying so; the others are fetched" {
    # Two servers: each side of a loopback connection costs its process one
    # fd, and one select() server cannot hold a thousand either. The fd
    # limit is raised, so that the fds run past FD_SETSIZE (not EMFILE).
    start_server; A=$SLOW
    start_server; B=$SLOW
    run --separate-stderr bash -c "ulimit -n 2048 || exit 99; $(declare -f urls)
        { urls 550 '$A/slow?delay=0.5&bytes=10'; urls 550 '$B/slow?delay=0.5&bytes=10'; } |
        '$FETCH' -"
    [ "$status" -ne 99 ] || skip "cannot raise the fd limit to 2048 here"
    [ "$status" -eq 1 ]
    [[ $output =~ select:\ ([0-9]+)\ fetched,\ ([0-9]+)\ failed, ]]
    local fetched=${BASH_REMATCH[1]} failed=${BASH_REMATCH[2]}
    # fds 0-2 are stdio: at most 1021 sockets below 1024, and each of the
    # rest says why it failed, on its line and on stderr.
    check "$fetched >= 1000 && $fetched <= 1021 && $fetched + $failed == 1100"
    [[ $(result_line 1100) == *"(fd 1024 is over FD_SETSIZE (1024): select() cannot watch it)" ]]
    [ "$(grep -c 'is over FD_SETSIZE (1024): select() cannot watch it$' <<<"$stderr")" -eq "$failed" ]
    # One wave, no queue: every page that got an fd in flight at once.
    check "$(summary_seconds) >= 0.5 && $(summary_seconds) < 1.5"
}

@test "select() failing (EIO) fails every fetch in flight, naming select" {
    start_server
    SELECT_OK=1 run --separate-stderr with_failing_select "$FETCH" "htp://bad" "$SLOW/hang"
    [ "$status" -eq 1 ]
    [[ $(result_line 1) == *"(scheme must be http://, not 'htp')" ]]
    [[ $(result_line 2) == *"(select: Input/output error)" ]]
}

@test "select() interrupted (EINTR) is no event: a connect still in flight is not taken for done" {
    # The first select() returns EINTR with the sets as given: read as an
    # answer, they would say the black hole's connect had ended.
    local so=$BATS_TEST_TMPDIR/eintr-select.so
    ${CC:-cc} -shared -fPIC -o "$so" "$BATS_TEST_DIRNAME/eintr-select.c"
    start_server
    start_blackhole HOLE 127.0.0.2 "${SLOW##*:}"
    LD_PRELOAD=$so ASAN_OPTIONS=$ASAN_OPTIONS:verify_asan_link_order=0 \
        run --separate-stderr "$FETCH" --trace --timeout 0.5 "$HOLE/slow?bytes=5" "$SLOW/slow?bytes=6"
    [ "$status" -eq 1 ]
    [[ $(result_line 1) == *"(timed out after 0.50 s)" ]]
    [[ $(result_line 2) == *" 200 "*" 6 "* ]]
    [[ $(grep -m1 -E '^ *[0-9.]+ wake ' <<<"$stderr") =~ wake\ +0\ ready$ ]]
    [ "$(trace_steps "$(trace_fd 1)")" = "connect started,timed out,close" ]
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
