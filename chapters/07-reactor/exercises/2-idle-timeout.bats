#!/usr/bin/env bats
# Exercise 2 (chapter 07): --idle-ms fails silent fetches, not slow ones.
load ../../../tests/helpers
load ../../../tests/bin/kit
teardown() { stop_servers; }

# takes: 2.5 s
@test "--idle-ms 300: a steady trickle succeeds, silent fetches fail after 0.3 s" {
    start_server
    run "$PROGRAM" --idle-ms 300 "$SLOW/slow?bytes=1000&chunk=100&every=0.1" \
                   "$SLOW/hang" "$SLOW/slow?delay=0.6"
    [ "$status" -eq 1 ]
    [[ $(result_line 1) == *" 200 "*" 1000 "* ]]
    [[ $(result_line 2) == *"(no data for 0.30 s)" ]]
    [[ $(result_line 3) == *"(no data for 0.30 s)" ]]
    check "$(result_line 1 | awk '{print $5}') >= 0.85"
    check "$(result_line 2 | awk '{print $5}') >= 0.3 && $(result_line 2 | awk '{print $5}') < 0.5"
    check "$(result_line 3 | awk '{print $5}') >= 0.3 && $(result_line 3 | awk '{print $5}') < 0.5"
}

# takes: 1 s
@test "without --idle-ms nothing changes; --idle-ms 0 is a usage error" {
    start_server
    run "$PROGRAM" --timeout 0.4 "$SLOW/hang" "$SLOW/slow?bytes=3"
    [ "$status" -eq 1 ]
    [[ $(result_line 1) == *"(timed out after 0.40 s)" ]]
    run "$PROGRAM" --idle-ms 0 "$SLOW/slow"
    [ "$status" -eq 2 ]
    [[ $output == *"--idle-ms must be a number from "* ]]   # not "unknown option"
}
