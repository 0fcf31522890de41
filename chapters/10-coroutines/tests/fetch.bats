#!/usr/bin/env bats
# Chapter 10: the coroutine fetcher reads like chapter 01 and runs like a
# reactor (total = the slowest page, faults stay with their URL: that is
# tests/fetchers.bats); here, 1000 coroutines at once, a blocking call
# inside one freezes them all, stacks, and --trace.

load ../../../tests/helpers
load ../../../tests/trace

FETCH="$TOP/chapters/10-coroutines/fetch"
STACKS="$TOP/chapters/10-coroutines/stacks"

teardown() { stop_servers; }

@test "/hang and a trickle time out with --timeout; the others do not wait" {
    start_server
    run "$FETCH" --timeout 0.5 "$SLOW/hang" "$SLOW/slow?bytes=1000&chunk=10&every=0.1" \
                               "$SLOW/slow?delay=0.1"
    [ "$status" -eq 1 ]
    [[ $(result_line 1) == *"error"*"(timed out after 0.50 s)" ]]
    [[ $(result_line 2) == *"error"*"(timed out after 0.50 s)" ]]
    [[ $(result_line 3) == *" 200 "* ]]
    end1=$(result_line 1 | awk '{print $5}'); end3=$(result_line 3 | awk '{print $5}')
    check "$end1 >= 0.5 && $end1 < 1.0 && $end3 < 0.4"
}

@test "1000 coroutines of 0.5 s each finish together, in a few seconds" {
    start_server
    run bash -c "for i in \$(seq 1000); do echo '$SLOW/slow?delay=0.5&bytes=100'; done | '$FETCH' -"
    [ "$status" -eq 0 ]
    [[ $output == *"coroutines: 1000 fetched, 0 failed, 100000 bytes in "* ]]
    check "$(summary_seconds) < 6"     # one after another: 500 s
}

@test "a blocking call inside a coroutine freezes every other coroutine" {
    start_server
    run "$FETCH" --blocking 1 "$SLOW/slow?delay=0.5" "$SLOW/slow?delay=0.2"
    [ "$status" -eq 0 ]
    start2=$(result_line 2 | awk '{print $4}')
    check "$start2 >= 0.45"            # it could not even start
    check "$(summary_seconds) >= 0.65"
}

@test "1 MiB arrives whole; bodies saved; stdin; usage errors" {
    start_server
    run "$FETCH" --save "$BATS_TEST_TMPDIR/s" "$SLOW/slow?bytes=1048576"
    [ "$status" -eq 0 ]
    [ "$(wc -c < "$BATS_TEST_TMPDIR/s/1")" -eq 1048576 ]
    run "$FETCH"
    [ "$status" -eq 2 ]
    run "$FETCH" --blocking x http://x/
    [ "$status" -eq 2 ]
    run "$FETCH" --help
    [ "$status" -eq 0 ]
    [[ $output == *"--blocking"* ]]
}

@test "stacks are freed: valgrind finds no leak and no error" {
    command -v valgrind >/dev/null || skip "valgrind is not installed"
    [ "$(cat "$TOP/.flavor" 2>/dev/null)" = normal ] || skip "valgrind runs on the normal build"
    start_server
    run valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99 \
        "$FETCH" --timeout 0.3 "$SLOW/slow?delay=0.1" "$SLOW/hang" "http://127.0.0.1:1/" "htp://x"
    [ "$status" -eq 1 ]                # two URLs failed; 99 would be valgrind
    run valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99 "$STACKS" 50 64 16
    [ "$status" -eq 0 ]
}

@test "stacks: resident memory grows with the stack a coroutine really uses" {
    run "$STACKS" 200 64 0
    [ "$status" -eq 0 ]
    small=$(sed -nE 's/.*: ([0-9.]+) KiB per coroutine/\1/p' <<<"$output")
    run "$STACKS" 200 64 48
    [ "$status" -eq 0 ]
    big=$(sed -nE 's/.*: ([0-9.]+) KiB per coroutine/\1/p' <<<"$output")
    check "$big > $small + 30"
    run -2 --separate-stderr "$STACKS" 10 64 60
    [ "${stderr_lines[0]}" = "stacks: USE_KIB must be a number from 0 to 56, not '60'" ]
    [ "${stderr_lines[1]}" = "Try 'stacks --help'." ]
    run -2 --separate-stderr "$STACKS" 5x
    [ "${stderr_lines[0]}" = "stacks: COUNT must be a number from 1 to 100000, not '5x'" ]
    run -0 "$STACKS" --help
    [ "${lines[0]}" = "usage: stacks [COUNT [STACK_KIB [USE_KIB]]]" ]
}

@test "when reactor_run fails, parked and unstarted coroutines fail with it; exit 1" {
    start_server
    # One good wait: the coroutines start, connect and park; then select fails.
    SELECT_OK=1 run with_failing_select "$FETCH" "$SLOW/slow?delay=0.2" "$SLOW/hang" "htp://x"
    [ "$status" -eq 1 ]
    [[ $(result_line 1) == *"(reactor_run: Input/output error)" ]]
    [[ $(result_line 2) == *"(reactor_run: Input/output error)" ]]
    [[ $(result_line 3) == *"(scheme must be http://, not 'htp')" ]]   # failed before
    [[ $output == *"coroutines: 0 fetched, 3 failed, 0 bytes in "* ]]
    # No good wait: no coroutine ever ran.
    run with_failing_select "$FETCH" "$SLOW/slow?delay=0.2" "$SLOW/hang"
    [ "$status" -eq 1 ]
    [ "$(result_line 1 | awk '{print $4}')" = - ]
    [[ $(result_line 2) == *"(reactor_run: Input/output error)" ]]
    [[ $output == *"coroutines: 0 fetched, 2 failed, 0 bytes in "* ]]
}

@test "when reactor_run fails, the coroutines' stacks and buffers are freed (valgrind)" {
    command -v valgrind >/dev/null || skip "valgrind is not installed"
    [ "$(cat "$TOP/.flavor" 2>/dev/null)" = normal ] || skip "valgrind runs on the normal build"
    start_server
    for ok in 0 1; do
        SELECT_OK=$ok run with_failing_select valgrind -q --leak-check=full \
            --errors-for-leak-kinds=all --error-exitcode=99 \
            "$FETCH" "$SLOW/slow?delay=0.2" "$SLOW/hang"
        [ "$status" -eq 1 ]            # both failed; 99 would be valgrind
    done
}

@test "--trace: the reactor's waits and wakes, and each fd's steps; on stderr only" {
    start_server
    run_traced 1 --timeout 5 "$SLOW/slow?delay=0.1&bytes=100" "$SLOW/truncate?bytes=1000"
    # trace lines and errors only (and, under ASan, its ucontext warning)
    not grep -vE "$TRACE_LINE|^coroutines: http|^==[0-9]+==WARNING: ASan .*swapcontext" <<<"$stderr"
    check_trace_shape
    trace_lines | grep -qE 'wait +2 fds, timeout [0-9.]+ s$'
    # co_connect's connect is common/dial's, which traces "connect started".
    fds=($(trace_lines | sed -nE 's/^ *[0-9.]+ fd ([0-9]+) +connected$/\1/p'))
    [ "${#fds[@]}" -eq 2 ]
    fetched='^connect started,connected,(sent [0-9]+ bytes,)+(read [1-9][0-9]* bytes,)+close$'
    truncated='^connect started,connected,(sent [0-9]+ bytes,)+(read [1-9][0-9]* bytes,)+read 0 bytes \(end of stream\),close$'
    for fd in "${fds[@]}"; do       # which fd is which URL: whoever ran first
        steps=$(trace_steps "$fd")
        [[ $steps =~ $fetched || $steps =~ $truncated ]]
    done
    [ "$(trace_lines | grep -c 'read 0 bytes (end of stream)$')" -eq 1 ]
}
