#!/usr/bin/env bats
# Chapter 05: a process per URL. The pages overlap (total well under the sum),
# big bodies come back whole over the pipes, a child's failure is its URL's
# line, every child is reaped as it ends, and Ctrl-C leaves no child behind.

load ../../../tests/helpers

FETCH="$TOP/chapters/05-processes/fetch"

teardown() { stop_servers; }

# wait_for_children PID OP N: waits (up to 5 s) until the number of PID's
# children (zombies included) is OP N (-ge, -eq); then prints their pids.
wait_for_children() {
    local i
    for i in $(seq 100); do
        [ "$(pgrep -c -P "$1")" "$2" "$3" ] && break
        sleep 0.05
    done
    pgrep -P "$1"
}

# all_gone PIDS...: fails naming any pid that still exists.
all_gone() {
    local p
    for p in "$@"; do
        if kill -0 "$p" 2>/dev/null; then
            echo "process $p is still there" >&2
            return 1
        fi
    done
}

@test "four delayed pages overlap: wall < 0.75 x the sum of the delays" {
    start_server
    run "$FETCH" --timeline "$SLOW/slow?delay=0.2" "$SLOW/slow?delay=0.3" \
                            "$SLOW/slow?delay=0.4" "$SLOW/slow?delay=0.5"
    [ "$status" -eq 0 ]
    [[ $output == *"processes: 4 fetched, 0 failed, 4096 bytes in "* ]]
    check "$(summary_seconds) < 0.75 * 1.4"
    check "$(summary_seconds) >= 0.5"
    # Every child started before the first one ended.
    end1=$(result_line 1 | awk '{print $5}')
    for i in 2 3 4; do check "$(result_line $i | awk '{print $4}') < $end1"; done
}

@test "1 MiB bodies from 4 children arrive byte-exact (--save)" {
    start_server
    urls=()
    for d in 0.1 0.2 0.3 0.4; do urls+=("$SLOW/slow?bytes=1048576&delay=$d"); done
    run "$FETCH" --save "$BATS_TEST_TMPDIR/saved" "${urls[@]}"
    [ "$status" -eq 0 ]
    [[ $output == *"processes: 4 fetched, 0 failed, 4194304 bytes in "* ]]
    for i in 1 2 3 4; do
        f="$BATS_TEST_TMPDIR/saved/$i"
        [ "$(wc -c < "$f")" -eq 1048576 ]
        # The slow server's pattern: 64-byte lines numbered 0000000 to 0016383.
        [ "$(head -c 7 "$f")" = "0000000" ]
        [ "$(tail -c 64 "$f" | cut -c1-7)" = "0016383" ]
        [ "$(cut -c1-7 "$f" | uniq | wc -l)" -eq 16384 ]
        if command -v curl >/dev/null; then
            curl -sS -o "$BATS_TEST_TMPDIR/curl.$i" "${urls[$((i - 1))]}"
            cmp "$f" "$BATS_TEST_TMPDIR/curl.$i"
        fi
    done
}

@test "a refused port fails alone: its error line, the others fetched, exit 1" {
    start_server
    run --separate-stderr "$FETCH" "$SLOW/slow?bytes=10" "http://127.0.0.1:1/" \
                                   "$SLOW/truncate?bytes=1000" "$SLOW/slow?bytes=20"
    [ "$status" -eq 1 ]
    [[ $(result_line 1) == *" 200 "*" 10 "* ]]
    [[ $(result_line 2) == *"error"*"(connect 127.0.0.1:1: Connection refused)" ]]
    [[ $(result_line 3) == *"error"*"(truncated: got 500 of 1000 bytes)" ]]
    [[ $(result_line 4) == *" 200 "*" 20 "* ]]
    [[ $output == *"processes: 2 fetched, 2 failed, 30 bytes in "* ]]
    [[ $stderr == *"processes: http://127.0.0.1:1/: connect 127.0.0.1:1: Connection refused"* ]]
}

@test "a child that dies is its URL's error line: killed by signal 9" {
    start_server
    "$FETCH" --timeout 5 "$SLOW/hang" "$SLOW/slow?bytes=5" >"$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
    pid=$!
    wait_for_children "$pid" -ge 1
    # The /hang child is the one still there once the other has finished.
    child=$(wait_for_children "$pid" -eq 1)
    [ "$(wc -w <<<"$child")" -eq 1 ]
    kill -KILL "$child"
    wait "$pid" || status=$?
    [ "${status:-0}" -eq 1 ]
    output=$(cat "$BATS_TEST_TMPDIR/out")
    [[ $(result_line 1) == *"error"*"(child killed by signal 9 (Killed))" ]]
    [[ $(result_line 2) == *" 200 "*" 5 "* ]]
}

@test "every child is reaped as soon as it is done: no zombie while others run" {
    start_server
    "$FETCH" "$SLOW/slow?delay=2" "$SLOW/slow?bytes=1" "$SLOW/slow?bytes=2" \
        >"$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
    pid=$!
    wait_for_children "$pid" -ge 1
    # Wait until only the slow child is left; a zombie would still be listed.
    wait_for_children "$pid" -eq 1
    ps -o pid=,stat= --ppid "$pid" >"$BATS_TEST_TMPDIR/ps"
    wait "$pid"
    cat "$BATS_TEST_TMPDIR/ps"
    [ "$(wc -l < "$BATS_TEST_TMPDIR/ps")" -eq 1 ]
    [[ $(awk '{print $2}' "$BATS_TEST_TMPDIR/ps") != Z* ]]
    grep -q 'processes: 3 fetched, 0 failed' "$BATS_TEST_TMPDIR/out"
}

@test "SIGINT during a /hang fetch: exits 130 at once, every child killed and reaped" {
    start_server
    "$FETCH" "$SLOW/hang" "$SLOW/hang" "$SLOW/slow?bytes=3" >"$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
    pid=$!
    children=$(wait_for_children "$pid" -ge 2)
    [ "$(wc -w <<<"$children")" -ge 2 ]
    start=$(now)
    kill -INT "$pid"
    wait "$pid" || status=$?
    check "$(now) - $start < 1"
    [ "${status:-0}" -eq 130 ]
    # Killed and reaped by the parent: the pids are gone, not orphaned.
    all_gone $children
    output=$(cat "$BATS_TEST_TMPDIR/out")
    [[ $(result_line 1) == *"error"*"(interrupted by SIGINT)" ]]
    [[ $(result_line 2) == *"error"*"(interrupted by SIGINT)" ]]
}

@test "SIGTERM: exit 143, no child left" {
    start_server
    "$FETCH" "$SLOW/hang" >"$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
    pid=$!
    children=$(wait_for_children "$pid" -ge 1)
    [ -n "$children" ]
    kill -TERM "$pid"
    wait "$pid" || status=$?
    [ "${status:-0}" -eq 143 ]
    all_gone $children
    grep -q "interrupted by SIGTERM" "$BATS_TEST_TMPDIR/out"
}

@test "more URLs than the fd limit: each one fetched or its own pipe error, no poll error" {
    start_server
    # poll() fails with EINVAL when given more entries than RLIMIT_NOFILE,
    # so closed pipes must not be passed to it.
    run --separate-stderr bash -c 'ulimit -n 64 && exec "$@"' - "$FETCH" \
        $(for i in $(seq 100); do echo "$SLOW/slow?delay=0.1"; done)
    tail -n 1 <<<"$output"
    sed -E 's/^processes: http[^ ]*: //' <<<"$stderr" | sort | uniq -c   # its errors, counted
    [ "$status" -eq 1 ]
    [[ $stderr != *"poll:"* ]]
    fetched=$(grep -cE '^ *[0-9]+  200 ' <<<"$output")
    refused=$(grep -cE '^ *[0-9]+  error .*\((pipe|fork): ' <<<"$output")
    [ "$fetched" -ge 10 ]
    [ "$refused" -ge 1 ]
    [ $((fetched + refused)) -eq 100 ]
}

# pipe_inodes PID: the pipes PID has open, one inode a line, sorted.
pipe_inodes() { ls -l "/proc/$1/fd" | sed -nE 's/.*pipe:\[([0-9]+)\]$/\1/p' | sort -u; }

@test "a child holds its own write end, and no end of its siblings' pipes" {
    [ -d /proc/self/fd ] || skip "no /proc/PID/fd here"
    start_server
    ASAN_OPTIONS=$ASAN_NO_LEAKS "$FETCH" "$SLOW/slow?delay=2" "$SLOW/slow?delay=2" \
        "$SLOW/slow?delay=2" >"$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
    pid=$!
    pipe_inodes "$BASHPID" >"$BATS_TEST_TMPDIR/inherited"   # fetch got these from us
    children=$(wait_for_children "$pid" -ge 3)
    [ "$(wc -w <<<"$children")" -eq 3 ]
    # A child that has connected has closed what it was going to close.
    for i in $(seq 100); do
        ready=0
        for c in $children; do ls -l "/proc/$c/fd" | grep -q 'socket:' && ready=$((ready + 1)); done
        [ "$ready" -eq 3 ] && break
        sleep 0.05
    done
    # Besides the pipes it inherited, each child holds one: its write end.
    # Not the signal pipe, not an older sibling's read end.
    for c in $children; do
        own=$(pipe_inodes "$c" | comm -23 - "$BATS_TEST_TMPDIR/inherited")
        echo "child $c, pipes of its own:" $own
        [ "$(wc -w <<<"$own")" -eq 1 ]
    done
    wait "$pid"
    grep -q 'processes: 3 fetched, 0 failed' "$BATS_TEST_TMPDIR/out"
}

@test "usage errors exit 2; --help exits 0" {
    run "$FETCH"
    [ "$status" -eq 2 ]
    run "$FETCH" --bogus http://x/
    [ "$status" -eq 2 ]
    run "$FETCH" --help
    [ "$status" -eq 0 ]
    [[ $output == *"child process"* ]]
}
