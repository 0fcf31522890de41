#!/usr/bin/env bats
# Exercise 05-3: --workers N: N processes fetch every URL (the starter
# forks one per URL, so the check sees six), bodies arrive whole, and
# SIGINT still kills and reaps every worker.

load ../../../tests/helpers
load ../../../tests/bin/kit

teardown() { stop_servers; }

# takes: 1.5 s
@test "--workers 2: the same two processes fetch all six pages, in three waves" {
    start_server
    # The URLs first: a $(...) on the line below would run in a child of the
    # background process, one that pgrep could see before the exec.
    pages=(); for i in 1 2 3 4 5 6; do pages+=("$SLOW/slow?delay=0.2"); done
    ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 \
        "$PROGRAM" --workers 2 "${pages[@]}" >"$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
    pid=$!
    # Every child pid seen while it runs (sampled every 20 ms).
    while kill -0 "$pid" 2>/dev/null; do
        pgrep -P "$pid" >>"$BATS_TEST_TMPDIR/pids" || true
        sleep 0.02
    done
    wait "$pid"
    output=$(cat "$BATS_TEST_TMPDIR/out")
    echo "$output"
    echo "children seen: $(sort -u "$BATS_TEST_TMPDIR/pids" | tr '\n' ' ')"
    [ "$(sort -u "$BATS_TEST_TMPDIR/pids" | wc -l)" -eq 2 ]
    [[ $output == *"processes: 6 fetched, 0 failed, 6144 bytes in "* ]]
    check "$(summary_seconds) >= 0.59 && $(summary_seconds) < 1.5"
}

# takes: 0.5 s
@test "1 MiB bodies and a refused port, through a pool of 2" {
    start_server
    run "$PROGRAM" --workers 2 --save "$BATS_TEST_TMPDIR/saved" "$SLOW/slow?bytes=1048576" \
        "http://127.0.0.1:1/" "$SLOW/slow?bytes=1048576" "$SLOW/slow?bytes=1048576"
    [ "$status" -eq 1 ]
    [[ $(result_line 2) == *"Connection refused"* ]]
    for i in 1 3 4; do
        [ "$(wc -c < "$BATS_TEST_TMPDIR/saved/$i")" -eq 1048576 ]
        [ "$(tail -c 64 "$BATS_TEST_TMPDIR/saved/$i" | cut -c1-7)" = "0016383" ]
    done
}

# takes: 1.5 s
@test "SIGINT: exit 130, every worker killed and reaped" {
    start_server
    "$PROGRAM" --workers 2 "$SLOW/hang" "$SLOW/hang" "$SLOW/hang" >"$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
    pid=$!
    for i in $(seq 100); do [ "$(pgrep -c -P "$pid")" -ge 2 ] && break; sleep 0.05; done
    children=$(pgrep -P "$pid")
    kill -INT "$pid"
    wait "$pid" || status=$?
    [ "${status:-0}" -eq 130 ]
    for c in $children; do
        if kill -0 "$c" 2>/dev/null; then echo "worker $c is still there"; return 1; fi
    done
    grep -q "interrupted by SIGINT" "$BATS_TEST_TMPDIR/out"
}
