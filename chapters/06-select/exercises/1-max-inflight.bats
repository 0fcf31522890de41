#!/usr/bin/env bats
# Exercise 1 (chapter 06): --max-inflight N makes waves of N; 0 or 2000
# is a usage error that gives the range, and --help lists the option.
load ../../../tests/helpers
load ../../../tests/bin/kit
teardown() { stop_servers; }

# takes: 1 s
@test "--max-inflight 2: six pages of 0.3 s in three waves" {
    start_server
    u="$SLOW/slow?delay=0.3&bytes=10"
    run "$PROGRAM" --max-inflight 2 "$u" "$u" "$u" "$u" "$u" "$u"
    [ "$status" -eq 0 ]
    [[ $output == *": 6 fetched, 0 failed, 60 bytes in "* ]]
    check "$(summary_seconds) >= 0.85 && $(summary_seconds) < 1.5"
    check "$(result_line 2 | awk '{print $4}') < 0.1"
    check "$(result_line 3 | awk '{print $4}') >= 0.25"
    check "$(result_line 5 | awk '{print $4}') >= 0.55"
}

# takes: 0.4 s
@test "without the option, all at once as before" {
    start_server
    u="$SLOW/slow?delay=0.3&bytes=10"
    run "$PROGRAM" "$u" "$u" "$u" "$u"
    [ "$status" -eq 0 ]
    check "$(summary_seconds) < 0.55"
}

# takes: 0.1 s
@test "--max-inflight 0 and 2000 are usage errors that give the range (not 'unknown option')" {
    run "$PROGRAM" --max-inflight 0 http://127.0.0.1:1/
    [ "$status" -eq 2 ]
    [[ $output == *"--max-inflight must be a number from 1 to 1008, not '0'"* ]]
    run "$PROGRAM" --max-inflight 2000 http://127.0.0.1:1/
    [ "$status" -eq 2 ]
    [[ $output == *"from 1 to 1008"* ]]
    run "$PROGRAM" --help
    [ "$status" -eq 0 ]
    [[ $output == *"--max-inflight N"* ]]
}
