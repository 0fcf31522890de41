#!/usr/bin/env bats
# Chapter 14: the proactor fetcher on io_uring. The same behaviour as the
# reactor's (the bad-input matrix checks it too), and what the model buys:
# a fetch costs a fraction of a system call. Every test skips, saying why,
# where io_uring is not available (an old kernel, io_uring_disabled, a
# container's seccomp filter).

load ../../../tests/helpers

FETCH="$TOP/chapters/14-completion/fetch"

teardown() { stop_servers; }

# urls N URL: prints URL N times, one a line (for "fetch -").
urls() { for ((i = 0; i < $1; i++)); do echo "$2"; done; }

# need_uring: skips the test when this machine gives us no io_uring.
need_uring() {
    local why
    why=$("$TOP/chapters/14-completion/available") || skip "$why"
}

# syscalls N: how many system calls fetch makes for N URLs of 0.5 s (strace -c -f).
syscalls() {
    urls "$1" "$SLOW/slow?delay=0.5&bytes=100" >"$BATS_TEST_TMPDIR/urls"
    ASAN_OPTIONS=$ASAN_NO_LEAKS strace -c -f -o "$BATS_TEST_TMPDIR/count" \
        "$FETCH" - <"$BATS_TEST_TMPDIR/urls" >"$BATS_TEST_TMPDIR/out" || return 1
    grep -q ": $1 fetched, 0 failed" "$BATS_TEST_TMPDIR/out" || return 1
    awk '$NF == "total" { print $4 }' "$BATS_TEST_TMPDIR/count"   # %, s, us/call, calls
}

@test "four delayed pages overlap: the total is near the slowest, not the sum" {
    need_uring
    start_server
    run "$FETCH" --timeline "$SLOW/slow?delay=0.2" "$SLOW/slow?delay=0.3" \
                            "$SLOW/slow?delay=0.4" "$SLOW/slow?delay=0.5"
    [ "$status" -eq 0 ]
    [[ $output == *"uring: 4 fetched, 0 failed, 4096 bytes in "* ]]
    check "$(summary_seconds) >= 0.5 && $(summary_seconds) < 0.5 * 1.5"
    for i in 1 2 3 4; do
        check "$(result_line $i | awk '{print $4}') < 0.1"   # all started at once
    done
}

@test "200 pages of 0.5 s take about 0.5 s: the ratio to the ideal is under 1.5" {
    need_uring
    start_server --backend epoll
    run bash -c "$(declare -f urls); urls 200 '$SLOW/slow?delay=0.5' | '$FETCH' -"
    [ "$status" -eq 0 ]
    [[ $output == *"uring: 200 fetched, 0 failed, 204800 bytes in "* ]]
    check "$(summary_seconds) >= 0.5 && $(summary_seconds) / 0.5 < 1.5"
}

@test "bodies are byte-identical to curl's: trickled, large, without Content-Length" {
    command -v curl >/dev/null || skip "curl is not installed"
    need_uring
    start_server
    local trickle="$SLOW/slow?bytes=5000&chunk=500&every=0.05"
    local -a pages=("$trickle" "$SLOW/slow?bytes=70000" "$SLOW/nolength?bytes=3000"
                    "$SLOW/slow?bytes=200000&chunk=7777&every=0.01")
    run "$FETCH" --save "$BATS_TEST_TMPDIR/saved" "${pages[@]}"
    [ "$status" -eq 0 ]
    for i in 1 2 3 4; do
        curl -sS -o "$BATS_TEST_TMPDIR/curl.$i" "${pages[i - 1]}"
        cmp "$BATS_TEST_TMPDIR/curl.$i" "$BATS_TEST_TMPDIR/saved/$i"
    done
}

@test "/hang with --timeout 0.5: its recv is cancelled at 0.5 s, the others complete" {
    need_uring
    start_server
    run --separate-stderr "$FETCH" --timeout 0.5 "$SLOW/slow?delay=0.2" "$SLOW/hang" "$SLOW/hang?x=2"
    [ "$status" -eq 1 ]
    [[ $(result_line 1) == *" 200 "* ]]
    [[ $(result_line 2) == *"(timed out after 0.50 s)" ]]
    [[ $(result_line 3) == *"(timed out after 0.50 s)" ]]
    check "$(summary_seconds) >= 0.5 && $(summary_seconds) < 1.0"
}

@test "every failure names its URL, the operation and strerror of the result" {
    need_uring
    start_server
    run --separate-stderr "$FETCH" "http://127.0.0.1:1/" "$SLOW/reset" "$SLOW/slow?bytes=3"
    [ "$status" -eq 1 ]
    [[ $stderr == *"uring: http://127.0.0.1:1/: connect 127.0.0.1:1: Connection refused"* ]]
    [[ $stderr == *"uring: $SLOW/reset: recv 127.0.0.1:${SLOW##*:}: Connection reset by peer"* ]]
    [[ $(result_line 3) == *" 200 "*" 3 "* ]]
}

@test "where io_uring is refused (EPERM, ENOSYS) it says so and exits 1; EINVAL for the newer flags falls back" {
    need_strace
    need_uring
    start_server
    for errno in EPERM ENOSYS; do
        ASAN_OPTIONS=$ASAN_NO_LEAKS run --separate-stderr strace -o /dev/null \
            -e trace=io_uring_setup -e inject=io_uring_setup:error=$errno "$FETCH" "$SLOW/slow?bytes=1"
        [ "$status" -eq 1 ]
        [[ ${stderr%%$'\n'*} == "uring: io_uring_setup: "*" ("*io_uring*")" ]]
        [[ $(result_line 1) == *"error"*"io_uring_setup: "* ]]
    done
    # A kernel older than 6.1 refuses DEFER_TASKRUN with EINVAL: a plain ring then.
    ASAN_OPTIONS=$ASAN_NO_LEAKS run strace -o "$BATS_TEST_TMPDIR/trace" -e trace=io_uring_setup \
        -e inject=io_uring_setup:error=EINVAL:when=1 "$FETCH" "$SLOW/slow?bytes=1"
    [ "$status" -eq 0 ]
    [ "$(grep -c '^io_uring_setup(' "$BATS_TEST_TMPDIR/trace")" -eq 2 ]
}

@test "a fetch costs at most 0.5 system calls: 250 URLs make at most 100 more than 50 do" {
    need_strace
    need_uring
    start_server --backend epoll
    local few many
    few=$(syscalls 50)
    many=$(syscalls 250)
    echo "system calls: $few for 50 URLs, $many for 250" >&3
    check "$many - $few <= 0.5 * 200"
    # And the whole run, start-up included, under the normal build:
    [ "$(cat "$TOP/.flavor" 2>/dev/null)" != normal ] || check "$many <= 0.5 * 250"
}

@test "more requests than the ring has slots (3000 URLs), and fewer fds than URLs: all are fetched" {
    need_uring
    start_server --backend epoll
    run bash -c "$(declare -f urls); urls 3000 '$SLOW/slow?delay=0.1&bytes=10' | '$FETCH' -"
    [ "$status" -eq 0 ]
    [[ $output == *"uring: 3000 fetched, 0 failed, 30000 bytes in "* ]]
    # 200 fds: at most 168 fetches at once, the others wait their turn.
    run bash -c "ulimit -n 200 && $(declare -f urls) && urls 400 '$SLOW/slow?delay=0.2&bytes=10' | '$FETCH' -"
    [ "$status" -eq 0 ]
    [[ $output == *"uring: 400 fetched, 0 failed, 4000 bytes in "* ]]
    check "$(summary_seconds) >= 0.4"           # three waves, not one
}

@test "a black-holed first address costs its 0.25 s link timeout, not --timeout; each failure is named" {
    need_uring
    start_server
    local port=${SLOW##*:}
    start_blackhole HOLE 127.0.0.2 "$port"
    export WAITLESS_FAKE_NAMES="hole-first.test=127.0.0.2,127.0.0.1 hole-only.test=127.0.0.2"
    with_fake_names run --separate-stderr timeout -k 5 30 "$FETCH" --timeout 5 \
        "http://hole-first.test:$port/slow?bytes=6" "$SLOW/slow?delay=0.25&bytes=7"
    [ "$status" -eq 0 ] || { echo "exit $status: $output $stderr" >&2; return 1; }
    local hole page
    hole=$(result_line 1 | awk '{print $5 - $4}') page=$(result_line 2 | awk '{print $5 - $4}')
    # The second address starts 0.25 s after the first, and answers at once.
    check "$hole >= 0.2 && $hole < 3 * $page"
    # With no address left to try, the last one gets the rest of --timeout.
    with_fake_names run --separate-stderr timeout -k 5 30 "$FETCH" --timeout 0.6 \
        "http://hole-only.test:$port/slow?bytes=6"
    [ "$status" -eq 1 ]
    grep -q "timed out after 0.60 s" <<<"$output$stderr"
}
