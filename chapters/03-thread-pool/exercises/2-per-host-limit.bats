#!/usr/bin/env bats
# Exercise 03.2: --per-host N limits the fetches running at once per
# host:port, and only per host:port.
load ../../../tests/helpers
load ../../../tests/bin/kit
teardown() { stop_servers; }

field() { result_line "$1" | awk -v f="$2" '{print $f}'; }

# takes: 2 s
@test "--per-host 1: one server's pages in turn, another server's beside them" {
    start_server; A=$SLOW
    start_server; B=$SLOW
    run "$PROGRAM" --workers 4 --per-host 1 "$A/slow?delay=0.3" "$A/slow?delay=0.3" \
                                            "$A/slow?delay=0.3" "$B/slow?delay=0.3"
    [ "$status" -eq 0 ]
    [[ $output == *"pool: 4 fetched, 0 failed"* ]]
    # Server A's three fetches do not overlap: sorted by start, each starts
    # after the one before ended.
    spans=$(for i in 1 2 3; do echo "$(field $i 4) $(field $i 5)"; done | sort -n)
    awk 'NR > 1 && $1 < prev_end - 0.001 { exit 1 } { prev_end = $2 }' <<<"$spans"
    # Server B's fetch did not wait for them.
    check "$(field 4 5) < 0.5"
    check "$(summary_seconds) >= 0.85"
}

# takes: 1 s
@test "--per-host 2: two at a time per server" {
    start_server
    run "$PROGRAM" --workers 4 --per-host 2 "$SLOW/slow?delay=0.3" "$SLOW/slow?delay=0.3" \
                                            "$SLOW/slow?delay=0.3" "$SLOW/slow?delay=0.3"
    [ "$status" -eq 0 ]
    check "$(summary_seconds) >= 0.55 && $(summary_seconds) < 0.9"
}

# takes: 0.5 s
@test "a URL without a host still fails alone, and does not block the pool" {
    start_server
    run "$PROGRAM" --per-host 1 "htp://nope" "$SLOW/slow?delay=0.1"
    [ "$status" -eq 1 ]
    [[ $(result_line 1) == *"error"*"scheme must be http://"* ]]
    [[ $(result_line 2) == *" 200 "* ]]
}
