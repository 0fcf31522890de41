#!/usr/bin/env bats
# Exercise 03.3: SIGTERM or SIGINT lets the fetches under way finish,
# cancels the queued ones, prints the report and exits 1.
load ../../../tests/helpers
load ../../../tests/bin/kit
teardown() { stop_servers; }

# stop_after SIGNAL SECONDS: six 1 s pages with 2 workers, signalled once the
# first wave is under way; sets status and output like `run`.
stop_after() {
    local pages=() i
    for i in 1 2 3 4 5 6; do pages+=("$SLOW/slow?delay=1"); done
    "$PROGRAM" --workers 2 "${pages[@]}" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
    local pid=$!
    sleep "$2"
    kill "-$1" "$pid"
    status=0
    wait "$pid" || status=$?
    output=$(cat "$BATS_TEST_TMPDIR/out")
}

# takes: 1.5 s
@test "SIGTERM: the two fetches under way finish, the four queued are cancelled" {
    start_server
    stop_after TERM 0.4
    [ "$status" -eq 1 ]
    [[ $output == *"pool: 2 fetched, 4 failed, 2048 bytes in "* ]]
    [ "$(grep -c ' 200 ' <<<"$output")" -eq 2 ]
    [ "$(grep -c 'error .*(cancelled by SIGTERM)$' <<<"$output")" -eq 4 ]
    check "$(summary_seconds) >= 0.9 && $(summary_seconds) < 1.6"
}

# takes: 1.5 s
@test "SIGINT (Ctrl-C) does the same" {
    start_server
    stop_after INT 0.4
    [ "$status" -eq 1 ]
    [ "$(grep -c 'error .*(cancelled by SIGINT)$' <<<"$output")" -eq 4 ]
}

# takes: 0.5 s
@test "without a signal, everything is fetched and the program ends by itself" {
    start_server
    run "$PROGRAM" --workers 2 "$SLOW/slow?delay=0.1" "$SLOW/slow?delay=0.1" "$SLOW/slow?delay=0.1"
    [ "$status" -eq 0 ]
    [[ $output == *"pool: 3 fetched, 0 failed"* ]]
}
