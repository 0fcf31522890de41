#!/usr/bin/env bats
# Chapter 03: a pool of N workers fetches in waves of N, reports each fetch
# on stderr as it completes, and keeps the final report in URL order.

load ../../../tests/helpers

FETCH="$TOP/chapters/03-thread-pool/fetch"

teardown() { stop_servers; }

# ten_pages DELAY: ten URLs of that delay, in "${pages[@]}".
ten_pages() {
    pages=()
    for i in $(seq 10); do pages+=("$SLOW/slow?delay=$1"); done
}

@test "10 pages of 0.3 s: 5 workers take two waves, 10 workers one" {
    start_server
    ten_pages 0.3
    run "$FETCH" "${pages[@]}"          # the default: 5 workers
    [ "$status" -eq 0 ]
    [[ $output == *"pool: 10 fetched, 0 failed, 10240 bytes in "* ]]
    five=$(summary_seconds)
    run "$FETCH" --workers 10 "${pages[@]}"
    [ "$status" -eq 0 ]
    ten=$(summary_seconds)
    check "$five >= 0.6 && $ten >= 0.3"
    check "$five > 1.5 * $ten && $five < 2.6 * $ten"
}

@test "with 2 workers, no more than 2 fetches overlap at any moment" {
    start_server
    run "$FETCH" --workers 2 "$SLOW/slow?delay=0.2" "$SLOW/slow?delay=0.2" \
                             "$SLOW/slow?delay=0.2" "$SLOW/slow?delay=0.2"
    [ "$status" -eq 0 ]
    # Fetch 3 and 4 can only start when fetch 1 or 2 has ended.
    first_end=$(for i in 1 2; do result_line $i | awk '{print $5}'; done | sort -n | head -n 1)
    for i in 3 4; do check "$(result_line $i | awk '{print $4}') >= $first_end"; done
}

@test "each fetch is reported on stderr as it completes; the report stays in URL order" {
    start_server
    run --separate-stderr "$FETCH" "$SLOW/slow?delay=0.6" "$SLOW/slow?delay=0.1" \
                                   "http://127.0.0.1:1/" "$SLOW/slow?delay=0.3"
    [ "$status" -eq 1 ]
    # Completion order: the refused port, then 0.1 s, 0.3 s, 0.6 s.
    [[ $(sed -n 1p <<<"$stderr") == "pool: done 1/4 at "*": #3 error  http://127.0.0.1:1/" ]]
    [[ $(sed -n 2p <<<"$stderr") == "pool: done 2/4 at "*": #2 200, 1024 bytes  $SLOW/slow?delay=0.1" ]]
    [[ $(sed -n 3p <<<"$stderr") == "pool: done 3/4 at "*": #4 200, 1024 bytes  $SLOW/slow?delay=0.3" ]]
    [[ $(sed -n 4p <<<"$stderr") == "pool: done 4/4 at "*": #1 200, 1024 bytes  $SLOW/slow?delay=0.6" ]]
    [[ $(sed -n 5p <<<"$stderr") == "pool: http://127.0.0.1:1/: connect 127.0.0.1:1: Connection refused" ]]
    # The completion of the 0.1 s page was printed at about 0.1 s, not at the end.
    at=$(sed -nE '2s/.* at ([0-9.]+) s:.*/\1/p' <<<"$stderr")
    check "$at < 0.4"
    for i in 1 2 3 4; do [[ $(result_line $i) == *"http://"* ]]; done
    [[ $(result_line 1) == *"/slow?delay=0.6"* ]]
    [[ $(result_line 3) == *"error"*"Connection refused"* ]]
    [[ $output == *"pool: 3 fetched, 1 failed, 3072 bytes in "* ]]
}

@test "the completion line is printed when the fetch completes, not at the end" {
    start_server
    "$FETCH" "$SLOW/slow?delay=0.1" "$SLOW/slow?delay=1.5" >/dev/null 2>"$BATS_TEST_TMPDIR/err" &
    pid=$!
    sleep 0.8      # the first page is done, the second is still waiting
    snapshot=$(cat "$BATS_TEST_TMPDIR/err")
    wait "$pid"
    [[ $snapshot == "pool: done 1/2 at "*": #1 200, 1024 bytes  $SLOW/slow?delay=0.1" ]]
    [[ $(cat "$BATS_TEST_TMPDIR/err") == *"pool: done 2/2 at "*": #2 200"* ]]
}

@test "more workers than URLs: idle workers just leave" {
    start_server
    run timeout 10 "$FETCH" --workers 50 "$SLOW/slow?delay=0.2" "$SLOW/slow?delay=0.2"
    [ "$status" -eq 0 ]
    [[ $output == *"pool: 2 fetched, 0 failed, 2048 bytes in "* ]]
    # Two workers fetch at once, and the run ends with their pages: the 48
    # idle ones leave at once. (Measured from the first start, not from 0:
    # creating 50 threads takes a third of a second under ThreadSanitizer.)
    read -r _ _ _ start1 end1 _ <<<"$(result_line 1)"
    read -r _ _ _ start2 end2 _ <<<"$(result_line 2)"
    check "$start2 - $start1 < 0.1 && $start1 - $start2 < 0.1"
    check "$end1 - $start1 < 0.35 && $end2 - $start2 < 0.35"
    check "$(summary_seconds) - $end1 < 0.15 && $(summary_seconds) - $end2 < 0.15"
}

@test "--workers 1 is chapter 01 again: the sum of the delays" {
    start_server
    run "$FETCH" --workers 1 "$SLOW/slow?delay=0.1" "$SLOW/slow?delay=0.2" "$SLOW/slow?delay=0.3"
    [ "$status" -eq 0 ]
    check "$(summary_seconds) >= 0.6"
    end1=$(result_line 1 | awk '{print $5}'); start2=$(result_line 2 | awk '{print $4}')
    end2=$(result_line 2 | awk '{print $5}'); start3=$(result_line 3 | awk '{print $4}')
    check "$start2 >= $end1 && $start3 >= $end2"
}

@test "a /hang waits in one worker while the others go on" {
    start_server
    run "$FETCH" --workers 2 --timeout 0.6 "$SLOW/hang" "$SLOW/slow?delay=0.1" \
        "$SLOW/slow?delay=0.1" "$SLOW/slow?delay=0.1"
    [ "$status" -eq 1 ]
    [[ $(result_line 1) == *"timed out after 0.60 s"* ]]
    for i in 2 3 4; do [[ $(result_line $i) == *" 200 "* ]]; done
    check "$(summary_seconds) < 0.6 + 0.3"
}

@test "URLs from stdin, and many more URLs than workers" {
    start_server
    run bash -c "for i in \$(seq 200); do echo '$SLOW/slow?bytes=10'; done | '$FETCH' --workers 8 - 2>/dev/null"
    [ "$status" -eq 0 ]
    [[ $output == *"pool: 200 fetched, 0 failed, 2000 bytes in "* ]]
}

@test "usage errors exit 2: --workers 0, negative, too many, not a number" {
    for bad in 0 -1 1001 five ""; do
        run --separate-stderr "$FETCH" --workers "$bad" http://x/
        [ "$status" -eq 2 ]
        [[ $stderr == *"--workers"* ]]
    done
    run --separate-stderr "$FETCH" --workers 0 http://x/
    [[ $stderr == *"--workers must be a number from 1 to 1000, not '0'"* ]]
    run "$FETCH"
    [ "$status" -eq 2 ]
    run "$FETCH" --help
    [ "$status" -eq 0 ]
    [[ $output == *"--workers N"*"worker threads in the pool (default 5)"* ]]
}
