#!/usr/bin/env bats
# Every fetcher on common/reactor takes --backend select|poll|epoll (through
# common/fetchcli's FETCHCLI_BACKEND), says so in --help, falls back on
# $WAITLESS_BACKEND, and refuses an unknown name as a usage error.

load helpers

REACTOR_FETCHERS=(07-reactor 08-deferreds 10-coroutines)

teardown() { stop_servers; }

@test "each reactor fetcher fetches on each backend" {
    start_server
    for chapter in "${REACTOR_FETCHERS[@]}"; do
        for backend in select poll epoll; do
            run "$TOP/chapters/$chapter/fetch" --timeout 5 --backend "$backend" \
                "$SLOW/slow?delay=0.1&bytes=10" "$SLOW/slow?bytes=20"
            [ "$status" -eq 0 ] || { echo "$chapter --backend $backend: $output"; false; }
            [[ $output == *": 2 fetched, 0 failed, 30 bytes in "* ]]
        done
    done
}

@test "--backend is the backend used, over \$WAITLESS_BACKEND" {
    # A select() that always fails (tests/preload): the select backend fails
    # every fetch, poll and epoll never call it.
    start_server
    for chapter in "${REACTOR_FETCHERS[@]}"; do
        FETCH="$TOP/chapters/$chapter/fetch"
        run with_failing_select "$FETCH" --timeout 5 "$SLOW/slow?bytes=10"
        [ "$status" -eq 1 ]
        [[ $output == *"reactor_run: Input/output error"* ]]
        run with_failing_select "$FETCH" --timeout 5 --backend select "$SLOW/slow?bytes=10"
        [ "$status" -eq 1 ]
        for backend in poll epoll; do
            run with_failing_select "$FETCH" --timeout 5 --backend "$backend" "$SLOW/slow?bytes=10"
            [ "$status" -eq 0 ] || { echo "$chapter --backend $backend: $output"; false; }
        done
        # with no --backend, $WAITLESS_BACKEND decides
        run with_failing_select env WAITLESS_BACKEND=poll "$FETCH" --timeout 5 "$SLOW/slow?bytes=10"
        [ "$status" -eq 0 ]
    done
}

@test "an unknown backend, by option or by environment, is a usage error naming the valid ones" {
    for chapter in "${REACTOR_FETCHERS[@]}"; do
        FETCH="$TOP/chapters/$chapter/fetch"
        run -2 --separate-stderr "$FETCH" --backend kqueue http://127.0.0.1:1/
        [ "$output" = "" ]
        [ "${stderr_lines[0]}" = "fetch: --backend must be select, poll or epoll, not 'kqueue'" ]
        [ "${stderr_lines[1]}" = "Try 'fetch --help'." ]
        run -2 --separate-stderr "$FETCH" --backend= http://127.0.0.1:1/
        [ "${stderr_lines[0]}" = "fetch: option '--backend' needs a value" ]
        WAITLESS_BACKEND=kqueue run -2 --separate-stderr "$FETCH" http://127.0.0.1:1/
        [ "${stderr_lines[0]}" = "fetch: WAITLESS_BACKEND=kqueue: unknown backend (choose select, poll or epoll)" ]
        # a good option wins over a bad environment
        WAITLESS_BACKEND=kqueue run -1 "$FETCH" --timeout 5 --backend poll http://127.0.0.1:1/
    done
}

@test "--help names --backend and \$WAITLESS_BACKEND; the other fetchers refuse the option" {
    for chapter in "${REACTOR_FETCHERS[@]}"; do
        run -0 "$TOP/chapters/$chapter/fetch" --help
        [[ $output == "Usage: fetch [OPTION]... URL... | -"* ]]
        [[ $output == *"  --backend NAME   how the reactor waits: select, poll or epoll"* ]]
        [[ $output == *'(default: $WAITLESS_BACKEND if set, else select)'* ]]
        [ "$(grep -cE '^.{81,}' <<<"$output")" -eq 0 ]
    done
    for chapter in 01-blocking 02-threads 03-thread-pool 05-processes 06-select; do
        run -2 --separate-stderr "$TOP/chapters/$chapter/fetch" --backend poll http://127.0.0.1:1/
        [ "${stderr_lines[0]}" = "fetch: unknown option '--backend'" ]
    done
}

@test "200 pages that answer at once, 3 runs on each backend: every page, no fd left watched" {
    # A connection that dial hands over still watched, closed without
    # reactor_unwatch (chapter 10's coroutine did: its response was in by
    # its first read), leaves the loop watching a closed fd: select fails
    # with EBADF, epoll waits for ever.
    start_server
    local urls=()
    for i in $(seq 200); do urls+=("$SLOW/slow?bytes=$i"); done
    for chapter in "${REACTOR_FETCHERS[@]}"; do
        for backend in select poll epoll; do
            for run in 1 2 3; do
                run timeout -k 5 10 "$TOP/chapters/$chapter/fetch" --timeout 5 --backend "$backend" "${urls[@]}"
                [ "$status" -eq 0 ] && [[ $output == *": 200 fetched, 0 failed, "* ]] || {
                    echo "$chapter --backend $backend, run $run: exit $status: $(tail -n 3 <<<"$output")" >&2
                    return 1; }
            done
        done
    done
}
