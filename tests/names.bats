#!/usr/bin/env bats
# Names on the async fetchers (14 tries addresses in turn, each for
# DIAL_DELAY; 07, 08 and 10 connect through common/dial, Happy Eyeballs):
# a name whose first address is a black hole is fetched in about DIAL_DELAY
# (0.25 s), not --timeout; a lookup of 1 s runs on a helper thread
# (common/resolve) while the loop fetches the other pages on time. Chapter
# 06 shows the problem these solve: its plain getaddrinfo stops the loop,
# and its black-holed first address takes the whole --timeout. Chapter 11's client (hammer) and 12's
# flood fall back past a refusing first address. The names come from the
# LD_PRELOAD resolver tests/preload/fake-names.c; the black hole is
# tests/drivers/blackhole at the slow server's port on 127.0.0.2. (Every
# fetcher's fallback past a refused address is in matrix.bats.)

load helpers

teardown() { stop_servers; }

DIALERS=(07-reactor 08-deferreds 10-coroutines)
ASYNC=("${DIALERS[@]}")
# 14 (io_uring: each address 0.25 s) joins where this machine gives
# it a ring; its own tests say why not.
if "$TOP/chapters/14-completion/available" >/dev/null 2>&1; then
    ASYNC+=(14-completion)
fi

# run_names PROGRAM ARGS...: PROGRAM with the fake names, 30 s at most.
run_names() {
    [ -x "$1" ] || skip "$1 is not built"
    with_fake_names run --separate-stderr timeout -k 5 30 "$@"
}

# fetch_names CHAPTER ARGS...: the chapter's fetch with the fake names.
fetch_names() {
    run_names "$TOP/chapters/$1/fetch" "${@:2}"
}

# took N: seconds from start to end of result line N; ended N: from the
# run's start to the end of line N.
took() { result_line "$1" | awk '{print $5 - $4}'; }
ended() { result_line "$1" | awk '{print $5}'; }

# hole_first: the slow server, a black hole at its port on 127.0.0.2, and
# hole-first.test: the hole, then 127.0.0.1. Sets $port.
hole_first() {
    start_server
    port=${SLOW##*:}
    start_blackhole HOLE 127.0.0.2 "$port"
    export WAITLESS_FAKE_NAMES="hole-first.test=127.0.0.2,127.0.0.1"
}

# trace_hole_first CHAPTER: its fetch --trace of hole-first.test, which must
# start two connects 0.25 s apart: $t1 $fd1, then $t2 $fd2.
trace_hole_first() {
    hole_first
    fetch_names "$1" --trace "http://hole-first.test:$port/slow?bytes=6"
    [ "$status" -eq 0 ]
    mapfile -t started < <(sed -nE 's/^ *([0-9.]+) fd ([0-9]+) +connect started$/\1 \2/p' <<<"$stderr")
    [ "${#started[@]}" -eq 2 ]
    t1=${started[0]% *} fd1=${started[0]#* } t2=${started[1]% *} fd2=${started[1]#* }
    check "$t2 - $t1 >= 0.24 && $t2 - $t1 < 1"
}

@test "a black-holed first address costs about 0.25 s, not --timeout (14 falls back, the others race)" {
    hole_first
    for chapter in "${ASYNC[@]}"; do
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
    for chapter in "${ASYNC[@]}"; do
        fetch_names "$chapter" "http://slow.test:$port/slow?bytes=5" "$SLOW/slow?delay=0.2&bytes=6"
        [ "$status" -eq 0 ] || { echo "$chapter: exit $status: $output $stderr" >&2; return 1; }
        # Ended, not took: a page that starts late (after a lookup that
        # blocked the loop) takes its 0.2 s all the same.
        check "$(took 1) >= 1.0 && $(ended 2) < 0.5 * $(ended 1)" || {
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
    trace_hole_first 07-reactor
    grep -qE "^ *[0-9.]+ fd $fd2 +connected$" <<<"$stderr"
    grep -qE "^ *[0-9.]+ fd $fd1 +close$" <<<"$stderr"
}

@test "06: a lookup of 1 s stops the loop: the pages beside it wait, as --trace shows" {
    start_server
    local port=${SLOW##*:}
    export WAITLESS_FAKE_NAMES="slow.test=127.0.0.1/1"
    fetch_names 06-select --trace "$SLOW/slow?delay=0.2&bytes=1" \
        "http://slow.test:$port/slow?bytes=2" "$SLOW/slow?delay=0.2&bytes=3"
    [ "$status" -eq 0 ]
    # The page started before the lookup ends after it; the page after it
    # starts only then.
    check "$(ended 1) >= 1.1 && $(result_line 3 | awk '{print $4}') >= 1.0"
    # In the trace: the lookup, then nothing for a second (no wait, no
    # step), then the next connect.
    local after
    after=$(grep -A1 -E '^ *[0-9.]+ resolve slow\.test: the loop waits in getaddrinfo$' <<<"$stderr" |
            sed -n 2p)
    [[ $after =~ ^\ *([0-9.]+)\ fd\ [0-9]+\ +connect\ started$ ]] || {
        echo "after the lookup: $after" >&2; false; }
    check "${BASH_REMATCH[1]} >= 1.0"
}

@test "06: a black-holed first address takes the whole --timeout; a refusing one is passed at once" {
    hole_first
    export WAITLESS_FAKE_NAMES="$WAITLESS_FAKE_NAMES refuse-first.test=127.0.0.3,127.0.0.1"
    fetch_names 06-select --trace --timeout 1 "http://hole-first.test:$port/slow?bytes=6" \
        "http://refuse-first.test:$port/slow?bytes=7"
    [ "$status" -eq 1 ]
    [[ $(result_line 1) == *"(timed out after 1.00 s)" ]]
    [[ $(result_line 2) == *" 200 "*" 7 "* ]]
    check "$(took 1) >= 1.0 && $(ended 2) < 0.5"
    # One connect for the hole, never a second: 06 waits for it.
    local hole
    hole=$(sed -nE 's/^ *[0-9.]+ fd ([0-9]+) +connect started$/\1/p' <<<"$stderr" | head -n 1)
    [[ $(grep -E "^ *[0-9.]+ fd $hole +" <<<"$stderr" | sed -E 's/^ *[0-9.]+ fd [0-9]+ +//' |
         paste -sd, -) == "connect started,timed out,close" ]]
    grep -qE '^ *[0-9.]+ fd [0-9]+ +connect failed: Connection refused$' <<<"$stderr"
}

@test "a lookup slower than --timeout times out alone, and neither the loop nor the exit waits for it" {
    start_server
    local port=${SLOW##*:}
    # 5 s: as long as a DNS server that does not answer takes for one try.
    export WAITLESS_FAKE_NAMES="slow.test=127.0.0.1/5"
    for chapter in "${ASYNC[@]}"; do
        local began=$EPOCHREALTIME
        fetch_names "$chapter" --timeout 0.3 "http://slow.test:$port/slow?bytes=5" \
                                             "$SLOW/slow?delay=0.1&bytes=6"
        local wall
        wall=$(echo "$EPOCHREALTIME - $began" | bc)
        [ "$status" -eq 1 ] || { echo "$chapter: exit $status: $output $stderr" >&2; return 1; }
        [[ $(result_line 1) =~ \(timed\ out\ after\ 0\.30\ s\)$ ]]
        [[ $(result_line 2) =~ ^\ *2\ \ 200\ +6\  ]]
        check "$(ended 1) < 0.6 && $(ended 2) < 0.25 && $(summary_seconds) < 0.6" || {
            echo "$chapter: the loop waited for the lookup: $output" >&2; return 1; }
        check "$wall < 2.5" || { echo "$chapter: exited after $wall s" >&2; return 1; }
    done
}

# hammer and flood, on a name whose first address refuses (nothing listens
# on 127.0.0.3 at the slow server's port) and whose second serves.
REFUSE_FIRST="refuse-first.test=127.0.0.3,127.0.0.1 all-refused.test=127.0.0.3,127.0.0.4"

@test "chapter 11's client falls back past a refusing first address" {
    start_server
    local port=${SLOW##*:}
    export WAITLESS_FAKE_NAMES=$REFUSE_FIRST
    run_names "$TOP/chapters/11-servers/hammer" --requests 4 --concurrency 2 \
        "http://refuse-first.test:$port/slow?delay=0.1"
    [ "$status" -eq 0 ] || { echo "exit $status: $output $stderr" >&2; return 1; }
    [[ $output == "hammer: 4 requests, 0 failed, concurrency 2, "* ]]
    # Every address refused: each is named.
    run_names "$TOP/chapters/11-servers/hammer" --requests 1 "http://all-refused.test:$port/"
    [ "$status" -eq 1 ]
    [[ $stderr == *"request 1: connect 127.0.0.3:$port: Connection refused; connect 127.0.0.4:$port: Connection refused"* ]]
}

@test "chapter 12's flood falls back past a refusing first address" {
    start_server
    local port=${SLOW##*:}
    export WAITLESS_FAKE_NAMES=$REFUSE_FIRST
    run_names "$TOP/chapters/12-beyond-select/flood" --connections 5 \
        "http://refuse-first.test:$port/slow?delay=0.1"
    [ "$status" -eq 0 ] || { echo "exit $status: $output $stderr" >&2; return 1; }
    [[ $output == *": 5 completed, 0 failed in "* ]]
    run_names "$TOP/chapters/12-beyond-select/flood" --connections 2 "http://all-refused.test:$port/"
    [ "$status" -eq 1 ]
    [[ $output == *": 2 x connect 127.0.0.4:$port: Connection refused"* ]]
}
