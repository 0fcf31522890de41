#!/usr/bin/env bats
# Names on the async fetchers (06 tries addresses in turn; 07, 08 and 10
# connect through common/dial): Happy Eyeballs finishes a name whose first
# address is a black hole in about DIAL_DELAY (0.25 s), not --timeout; a
# lookup of 1 s runs on a helper thread (common/resolve) while the loop
# fetches the other pages on time. The names come from the LD_PRELOAD
# resolver tests/preload/fake-names.c; the black hole is tests/drivers/
# blackhole at the slow server's port on 127.0.0.2. (Every fetcher's
# fallback past a refused address is in matrix.bats.)

load helpers

teardown() { stop_servers; }

DIALERS=(07-reactor 08-deferreds 10-coroutines)

# fetch_names CHAPTER ARGS...: the chapter's fetch with the fake names, 30 s at most.
fetch_names() {
    local f="$TOP/chapters/$1/fetch"
    shift
    [ -x "$f" ] || skip "$f is not built"
    with_fake_names run --separate-stderr timeout -k 5 30 "$f" "$@"
}

# took N: seconds from start to end of result line N.
took() { result_line "$1" | awk '{print $5 - $4}'; }

@test "Happy Eyeballs: a black-holed first address costs about 0.25 s, not --timeout" {
    start_server
    local port=${SLOW##*:}
    start_blackhole HOLE 127.0.0.2 "$port"
    export WAITLESS_FAKE_NAMES="hole-first.test=127.0.0.2,127.0.0.1"
    for chapter in "${DIALERS[@]}"; do
        fetch_names "$chapter" --timeout 5 "http://hole-first.test:$port/slow?bytes=6" \
                                            "$SLOW/slow?delay=0.25&bytes=7"
        [ "$status" -eq 0 ] || { echo "$chapter: exit $status: $output $stderr" >&2; return 1; }
        # The second address starts DIAL_DELAY after the first, and wins.
        check "$(took 1) >= 0.2 && $(took 1) < 3 * $(took 2)" || {
            echo "$chapter: the black-holed name took $(took 1) s" >&2; return 1; }
    done
}

@test "a lookup that takes 1 s leaves a 0.2 s page on time, and the lookups share 4 threads" {
    start_server
    local port=${SLOW##*:}
    export WAITLESS_FAKE_NAMES="slow.test=127.0.0.1/1 half.test=127.0.0.1/0.5"
    for chapter in "${DIALERS[@]}"; do
        fetch_names "$chapter" "http://slow.test:$port/slow?bytes=5" "$SLOW/slow?delay=0.2&bytes=6"
        [ "$status" -eq 0 ] || { echo "$chapter: exit $status: $output $stderr" >&2; return 1; }
        check "$(took 1) >= 1.0 && $(took 2) < 0.5 * $(took 1)" || {
            echo "$chapter: the lookup held the page: $output" >&2; return 1; }
    done
    # Eight lookups of 0.5 s on four threads: two rounds, not eight, not one.
    local urls=()
    for i in $(seq 8); do urls+=("http://half.test:$port/slow?bytes=$i"); done
    fetch_names 07-reactor "${urls[@]}"
    [ "$status" -eq 0 ]
    check "$(summary_seconds) >= 0.95 && $(summary_seconds) < 2"
}

@test "--trace shows the race: the second attempt 0.25 s after the first, the loser closed" {
    start_server
    local port=${SLOW##*:}
    start_blackhole HOLE 127.0.0.2 "$port"
    export WAITLESS_FAKE_NAMES="hole-first.test=127.0.0.2,127.0.0.1"
    fetch_names 07-reactor --trace "http://hole-first.test:$port/slow?bytes=6"
    [ "$status" -eq 0 ]
    mapfile -t started < <(sed -nE 's/^ *([0-9.]+) fd ([0-9]+) +connect started$/\1 \2/p' <<<"$stderr")
    [ "${#started[@]}" -eq 2 ]
    local t1=${started[0]% *} fd1=${started[0]#* } t2=${started[1]% *} fd2=${started[1]#* }
    check "$t2 - $t1 >= 0.24 && $t2 - $t1 < 1"
    grep -qE "^ *[0-9.]+ fd $fd2 +connected$" <<<"$stderr"
    grep -qE "^ *[0-9.]+ fd $fd1 +close$" <<<"$stderr"
}
