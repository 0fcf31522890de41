#!/usr/bin/env bats
# Exercise 2 (chapter 06): --per-host N limits each host:port, not the total.
load ../../../tests/helpers
load ../../../tests/bin/kit
teardown() { stop_servers; }

# takes: 0.9 s
@test "--per-host 2: a busy host waits, the other host goes ahead" {
    start_server; A="$SLOW/slow?delay=0.3&bytes=10"
    start_server; B="$SLOW/slow?delay=0.3&bytes=10"
    run "$PROGRAM" --per-host 2 "$A" "$A" "$A" "$A" "$B" "$B"
    [ "$status" -eq 0 ]
    [[ $output == *": 6 fetched, 0 failed, 60 bytes in "* ]]
    for i in 1 2 5 6; do check "$(result_line $i | awk '{print $4}') < 0.1"; done
    for i in 3 4; do check "$(result_line $i | awk '{print $4}') >= 0.25"; done
    check "$(summary_seconds) >= 0.55 && $(summary_seconds) < 0.85"
}

# takes: 0.1 s
@test "a bad URL among them fails alone" {
    start_server
    run "$PROGRAM" --per-host 1 "htp://nope" "$SLOW/slow?bytes=5" "$SLOW/slow?bytes=6"
    [ "$status" -eq 1 ]
    [[ $(result_line 1) == *"scheme must be http://"* ]]
    [[ $output == *": 2 fetched, 1 failed, 11 bytes in "* ]]
}

# takes: 0.1 s
@test "--per-host 0 is a usage error" {
    run "$PROGRAM" --per-host 0 http://127.0.0.1:1/
    [ "$status" -eq 2 ]
    [[ $output == *"--per-host must be a number from "* ]]   # not "unknown option"
}
