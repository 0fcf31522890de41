#!/usr/bin/env bats
# Chapters 01-05 really block: fetch_blocking (common/fetch.c) makes a
# blocking socket, a blocking connect and blocking reads and writes, its
# --timeout held by SO_SNDTIMEO/SO_RCVTIMEO, so strace shows the calls that
# wait, and no non-blocking socket, no EINPROGRESS, no poll before a read.

load helpers

teardown() { stop_servers; }

BLOCKING=(01-blocking 02-threads 03-thread-pool 05-processes)

# traced CHAPTER ARGS...: the chapter's fetch under strace -ff (one log per
# process or thread, whole lines, gathered in $BATS_TEST_TMPDIR/trace), 30 s
# at most.
traced() {
    local chapter=$1
    shift
    [ -x "$TOP/chapters/$chapter/fetch" ] || skip "chapters/$chapter/fetch is not built"
    rm -rf "$BATS_TEST_TMPDIR/traces"
    mkdir "$BATS_TEST_TMPDIR/traces"
    ASAN_OPTIONS=$ASAN_NO_LEAKS run timeout -k 5 30 strace -ff -T -qq -o "$BATS_TEST_TMPDIR/traces/t" \
        -e trace=socket,connect,fcntl,poll,ppoll,select,pselect6 "$TOP/chapters/$chapter/fetch" "$@"
    cat "$BATS_TEST_TMPDIR"/traces/t.* > "$BATS_TEST_TMPDIR/trace"
}

@test "strace: chapters 01, 02, 03, 05 connect, send and read on a blocking socket" {
    need_strace
    start_server
    for chapter in "${BLOCKING[@]}"; do
        traced "$chapter" --timeout 5 "$SLOW/slow?delay=0.1&bytes=100" "$SLOW/slow?bytes=70000"
        [ "$status" -eq 0 ] || { echo "$chapter: exit $status: $output" >&2; return 1; }
        local trace="$BATS_TEST_TMPDIR/trace"
        grep -q 'socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP)' "$trace" || {
            echo "$chapter: no blocking TCP socket in:" >&2; cat "$trace" >&2; return 1; }
        [ "$(grep -cE 'connect\(.*\) = 0 <' "$trace")" -eq 2 ] || {
            echo "$chapter: wanted 2 connects that return 0:" >&2; cat "$trace" >&2; return 1; }
        not grep -E 'SOCK_NONBLOCK|EINPROGRESS|events=POLLOUT' "$trace"
        # No process that fetches sets O_NONBLOCK (05's parent does, on its
        # self-pipe for signals, and opens no socket).
        for t in "$BATS_TEST_TMPDIR"/traces/t.*; do
            if grep -q 'socket(AF_INET' "$t"; then not grep 'O_NONBLOCK' "$t"; fi
        done
    done
}

@test "strace: chapter 01's connect to a black hole waits in connect until --timeout" {
    need_strace
    start_blackhole HOLE
    traced 01-blocking --timeout 0.5 "$HOLE/"
    [ "$status" -eq 1 ]
    [[ $(result_line 1) == *"timed out after 0.50 s"* ]]
    # One connect that waited about 0.5 s (Linux reports a blocking connect
    # cut off by SO_SNDTIMEO as EINPROGRESS), and no poll for it.
    local took
    took=$(sed -nE 's/.*connect\(.*<([0-9.]+)>$/\1/p' "$BATS_TEST_TMPDIR/trace")
    check "$took >= 0.45 && $took < 1.5"
    not grep -E 'SOCK_NONBLOCK|poll\(' "$BATS_TEST_TMPDIR/trace"
}

@test "--timeout 0.5 ends a black hole, a /hang and a trickle in every blocking chapter" {
    start_server
    start_blackhole HOLE
    for chapter in "${BLOCKING[@]}"; do
        local f="$TOP/chapters/$chapter/fetch"
        [ -x "$f" ] || continue
        # The deadline is one for the whole fetch: a trickle of a byte every
        # 0.1 s never lets one read wait 0.5 s, and still ends at 0.5 s.
        run timeout -k 5 30 "$f" --timeout 0.5 "$HOLE/" "$SLOW/hang" \
            "$SLOW/slow?bytes=100&chunk=1&every=0.1" "$SLOW/slow?bytes=5"
        [ "$status" -eq 1 ] || { echo "$chapter: exit $status: $output" >&2; return 1; }
        for i in 1 2 3; do
            [[ $(result_line $i) == *"timed out after 0.50 s"* ]] || {
                echo "$chapter: URL $i did not time out: $output" >&2; return 1; }
            local took
            took=$(result_line $i | awk '{print $5 - $4}')
            check "$took >= 0.45 && $took < 1.2" || { echo "$chapter: URL $i" >&2; return 1; }
        done
        [[ $(result_line 4) == *" 200 "* ]]
    done
}
