#!/usr/bin/env bats
# Chapter 02: a thread per URL takes about the slowest delay, not the sum;
# --max-threads runs batches; a thread that cannot be created fails its URL
# alone; the ThreadQueue demo waits for all its calls at once.

load ../../../tests/helpers

FETCH="$TOP/chapters/02-threads/fetch"
SERVICES="$TOP/chapters/02-threads/services"

teardown() { stop_servers; }

@test "four delayed pages at once take about the slowest delay, not the sum" {
    start_server
    run "$FETCH" --timeline "$SLOW/slow?delay=0.2" "$SLOW/slow?delay=0.3" \
                            "$SLOW/slow?delay=0.4" "$SLOW/slow?delay=0.5"
    [ "$status" -eq 0 ]
    [[ $output == *"threads: 4 fetched, 0 failed, 4096 bytes in "* ]]
    # The sum is 1.4 s; the slowest page alone is 0.5 s.
    check "$(summary_seconds) >= 0.5 && $(summary_seconds) < 0.75 * 1.4"
    # Every fetch starts before the first one ends: they overlap.
    end1=$(result_line 1 | awk '{print $5}')
    for i in 1 2 3 4; do
        [[ $(result_line $i) == *" 200 "*"1024"* ]]
        check "$(result_line $i | awk '{print $4}') < $end1"
    done
    [[ $output == *"timeline"* ]]
}

@test "errors stay with their URL while the other threads go on" {
    start_server
    run --separate-stderr "$FETCH" --timeout 0.5 "$SLOW/slow?bytes=10" "htp://nope" \
        "http://127.0.0.1:1/" "$SLOW/hang" "$SLOW/slow?delay=0.3&bytes=20"
    [ "$status" -eq 1 ]
    [[ $(result_line 1) == *" 200 "* ]]
    [[ $(result_line 2) == *"error"*"scheme must be http://"* ]]
    [[ $(result_line 3) == *"error"*"connect 127.0.0.1:1: Connection refused"* ]]
    [[ $(result_line 4) == *"error"*"timed out after 0.50 s"* ]]
    [[ $(result_line 5) == *" 200 "* ]]
    [[ $output == *"threads: 2 fetched, 3 failed, 30 bytes in "* ]]
    # The hang and the slow page waited side by side.
    check "$(summary_seconds) < 0.75 * (0.5 + 0.3)"
    [[ $stderr == *"threads: $SLOW/hang: timed out after 0.50 s"* ]]
}

@test "--max-threads 2 with 4 URLs: two batches, the second after the first" {
    start_server
    run "$FETCH" --max-threads 2 "$SLOW/slow?delay=0.3" "$SLOW/slow?delay=0.3" \
                                 "$SLOW/slow?delay=0.3" "$SLOW/slow?delay=0.3"
    [ "$status" -eq 0 ]
    [[ $output == *"threads: 4 fetched, 0 failed, 4096 bytes in "* ]]
    end1=$(result_line 1 | awk '{print $5}'); end2=$(result_line 2 | awk '{print $5}')
    for i in 3 4; do
        start=$(result_line $i | awk '{print $4}')
        check "$start >= $end1 && $start >= $end2"
    done
    check "$(summary_seconds) >= 0.6 && $(summary_seconds) < 1.2"
}

@test "a thread that cannot be created fails its URL with strerror; the rest go on" {
    [ "$(cat "$TOP/.flavor" 2>/dev/null)" = normal ] ||
        skip "the sanitizers reserve more address space than ulimit -v allows"
    start_server
    # 200 MB of address space holds about 20 stacks of 8 MB: most of the 60
    # threads, which all wait at the same time, cannot be created.
    run --separate-stderr bash -c "for i in \$(seq 60); do echo '$SLOW/slow?delay=0.3'; done |
                                   (ulimit -s 8192 -v 200000; exec '$FETCH' -)"
    [ "$status" -eq 1 ]
    [ "$(grep -c ' 200 ' <<<"$output")" -ge 1 ]
    failed=$(grep -c 'error .*(thread not started: pthread_create: Resource temporarily unavailable)$' <<<"$output")
    [ "$failed" -ge 1 ]
    [[ $output == *"threads: $((60 - failed)) fetched, $failed failed, "* ]]
    [[ $stderr == *"threads: $SLOW/slow?delay=0.3: thread not started: pthread_create: "* ]]
}

@test "usage errors exit 2 and say what is wrong" {
    run "$FETCH"
    [ "$status" -eq 2 ]
    run --separate-stderr "$FETCH" --max-threads 0 http://x/
    [ "$status" -eq 2 ]
    [[ $stderr == *"--max-threads must be a number from 1 to 100000, not '0'"* ]]
    run "$FETCH" --max-threads -3 http://x/
    [ "$status" -eq 2 ]
    run "$FETCH" --max-threads many http://x/
    [ "$status" -eq 2 ]
    run "$FETCH" --help
    [ "$status" -eq 0 ]
    [[ $output == *"--max-threads N"*"batches of N"* ]]
}

# ---- the ThreadQueue --------------------------------------------------------

# services_lines: the result lines without their times, sorted.
services_lines() {
    grep -E '^  [a-z]+ ' <<<"$output" | sed -E 's/ +done at .*//' | sort
}

@test "services: three calls of 0.3, 0.5 and 0.2 s take about the slowest" {
    start_server
    run "$SERVICES" "$SLOW"
    [ "$status" -eq 0 ]
    [[ $output == *"services: 3 calls started in 0.0"* ]]
    [[ $output == *"services: other work done at 0.1"* ]]
    [ "$(services_lines)" = "$(printf '%s\n' \
        '  billing        200   500 bytes' \
        '  notifications  200   300 bytes' \
        '  privileges     200   200 bytes')" ]
    total=$(sed -nE 's/^services: total ([0-9.]+) s .*/\1/p' <<<"$output")
    check "$total >= 0.5 && $total < 0.75 * 1.0"
    # privileges was done at 0.2 s but got after billing, at 0.5 s: tq_get
    # of a finished task does not wait.
    line=$(grep '^  privileges ' <<<"$output")
    done_at=$(sed -E 's/.*done at ([0-9.]+) s.*/\1/' <<<"$line")
    got_at=$(sed -E 's/.*got at ([0-9.]+) s.*/\1/' <<<"$line")
    check "$done_at < 0.45 && $got_at >= 0.5"
}

@test "services: getting in any order gives the same results, and the same time" {
    start_server
    run "$SERVICES" --get privileges,billing,notifications "$SLOW"
    [ "$status" -eq 0 ]
    first=$(services_lines)
    [[ $(grep -E '^  ' <<<"$output" | head -n 1) == "  privileges "* ]]
    run "$SERVICES" --get billing,notifications,privileges,billing "$SLOW"
    [ "$status" -eq 0 ]
    [ "$(grep -c '^  billing  ' <<<"$output")" -eq 2 ]   # got twice, same result
    [ "$(services_lines | uniq)" = "$first" ]
    total=$(sed -nE 's/^services: total ([0-9.]+) s .*/\1/p' <<<"$output")
    check "$total < 0.75"
}

@test "services: an unknown task name is a clear error, the others still come" {
    start_server
    run --separate-stderr "$SERVICES" --get billing,quota,privileges "$SLOW"
    [ "$status" -eq 1 ]
    [ "$stderr" = "services: tq_get quota: no task by that name" ]
    [[ $output == *"  billing        200   500 bytes"* ]]
    [[ $output == *"  privileges     200   200 bytes"* ]]
}

@test "services: a call that fails is reported as that call's error" {
    run "$SERVICES" --other-work 0 "http://127.0.0.1:1"
    [ "$status" -eq 1 ]
    [[ $output == *"  billing        error  connect 127.0.0.1:1: Connection refused"* ]]
}

@test "services: usage errors exit 2" {
    run "$SERVICES"
    [ "$status" -eq 2 ]
    [[ $output == *"no BASE_URL given"* ]]
    run "$SERVICES" --other-work -1 http://x
    [ "$status" -eq 2 ]
    run "$SERVICES" --bogus http://x
    [ "$status" -eq 2 ]
    run "$SERVICES" http://x http://y
    [ "$status" -eq 2 ]
    run "$SERVICES" --help
    [ "$status" -eq 0 ]
    [[ $output == *"--get NAMES"* ]]
}
