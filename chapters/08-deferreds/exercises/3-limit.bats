#!/usr/bin/env bats
# Exercise 3 (chapter 08): --max N keeps at most N fetches running.

load ../../../tests/helpers
load ../../../tests/bin/kit

teardown() { stop_servers; }

# takes: 1 s
@test "--max 2 on four pages of 0.3 s: two waves" {
    start_server
    u="$SLOW/slow?delay=0.3"
    run "$PROGRAM" --max 2 "$u" "$u" "$u" "$u"
    [ "$status" -eq 0 ]
    [[ $output == *"deferreds: 4 fetched, 0 failed, 4096 bytes in "* ]]
    check "$(summary_seconds) >= 0.55 && $(summary_seconds) < 1.0"
    start3=$(result_line 3 | awk '{print $4}')
    check "$start3 >= 0.28"
}

# takes: 1 s
@test "--max 1 is a staircase; failures start the next one too" {
    start_server
    run "$PROGRAM" --max 1 "htp://bad" "$SLOW/slow?delay=0.2" "http://127.0.0.1:1/" "$SLOW/slow?delay=0.2"
    [ "$status" -eq 1 ]
    [[ $output == *"deferreds: 2 fetched, 2 failed, "* ]]
    check "$(summary_seconds) >= 0.38"
    start4=$(result_line 4 | awk '{print $4}')
    check "$start4 >= 0.19"
}

# takes: 1 s
@test "bad URLs that fail at once never push it over N" {
    start_server
    run "$PROGRAM" --max 2 htp://a htp://b "$SLOW/slow?delay=0.3" "$SLOW/slow?delay=0.3" "$SLOW/slow?delay=0.3"
    [ "$status" -eq 1 ]
    check "$(summary_seconds) >= 0.55"
    [[ $output == *"deferreds: 3 fetched, 2 failed, "* ]]
}
