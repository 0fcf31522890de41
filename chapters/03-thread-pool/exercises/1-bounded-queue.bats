#!/usr/bin/env bats
# Exercise 03.1: --queue N bounds the jobs waiting; the producer waits.
load ../../../tests/helpers
load ../../../tests/bin/kit
teardown() { stop_servers; }

six_pages() { pages=(); for i in 1 2 3 4 5 6; do pages+=("$SLOW/slow?delay=0.2"); done; }

# takes: 1 s
@test "--workers 2 --queue 1: one job waits at most, the producer is held back" {
    start_server
    six_pages
    run --separate-stderr "$PROGRAM" --workers 2 --queue 1 "${pages[@]}"
    [ "$status" -eq 0 ]
    [[ $output == *"pool: 6 fetched, 0 failed, 6144 bytes in "* ]]
    [[ $stderr == *"pool: at most 1 jobs waited in the queue"* ]]
    queued=$(sed -nE 's/^pool: all jobs queued at ([0-9.]+) s$/\1/p' <<<"$stderr")
    check "$queued >= 0.3"
    check "$(summary_seconds) >= 0.6"
}

# takes: 1 s
@test "--queue 3 with 10 jobs: three wait at most; all are fetched" {
    start_server
    pages=(); for i in $(seq 10); do pages+=("$SLOW/slow?delay=0.1"); done
    run --separate-stderr "$PROGRAM" --workers 2 --queue 3 "${pages[@]}"
    [ "$status" -eq 0 ]
    [[ $output == *"pool: 10 fetched, 0 failed"* ]]
    [[ $stderr == *"pool: at most 3 jobs waited in the queue"* ]]
}

# takes: 0.5 s
@test "a queue larger than the job list changes nothing" {
    start_server
    run --separate-stderr "$PROGRAM" --queue 100 "$SLOW/slow?delay=0.1" "$SLOW/slow?delay=0.1"
    [ "$status" -eq 0 ]
    [[ $stderr == *"pool: at most "[12]" jobs waited in the queue"* ]]
}

# takes: 0.5 s
@test "--queue 0 is a usage error" {
    run "$PROGRAM" --queue 0 http://x/
    [ "$status" -eq 2 ]
    [[ $output == *"--queue must be a number from "* ]]   # not "unknown option"
}
