#!/usr/bin/env bats
# Exercise 4 (chapter 11): a stall a closed loop measured once is counted as
# the requests it hid; fast answers add nothing; bad input is refused.
load ../../../tests/helpers
load ../../../tests/bin/kit

# latencies: 99 answers of 0.01 s and one stall of 1 s.
latencies() { for i in $(seq 99); do echo 0.01; done; echo 1.0; }

# takes: 0.1 s
@test "one 1 s stall in 100 requests meant 0.01 s apart: p99 0.01 s measured, about 1 s corrected" {
    run "$PROGRAM" 0.01 < <(latencies)
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == "measured    100 latencies, p50 0.010 s, p90 0.010 s, p99 0.010 s, max 1.000 s" ]]
    # The stall hid the 99 requests due in it: they waited 0.99, 0.98 ... 0.01 s.
    [[ ${lines[1]} =~ ^corrected\ +(19[89]|200)\ latencies,\ p50\ 0.01[0-9]\ s,\ p90\ 0.[789][0-9]*\ s,\ p99\ 0.9[89][0-9]*\ s,\ max\ 1.000\ s$ ]]
}

# takes: 0.1 s
@test "answers faster than the interval hide nothing: the two lines agree" {
    run "$PROGRAM" 0.5 < <(printf '%s\n' 0.1 0.2 0.3 1.1 0.4)
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == "measured      5 latencies, "* ]]
    [[ ${lines[1]} == "corrected     6 latencies, "* ]]      # 1.1 hid one request: 0.6
    run "$PROGRAM" 1 < <(printf '%s\n' 0.1 0.2 0.3)
    [ "${lines[0]#measured }" = "${lines[1]#corrected}" ]
}

# takes: 0.1 s
@test "usage: no interval or a bad one is 2, and so is input that is not numbers" {
    run "$PROGRAM" </dev/null
    [ "$status" -eq 2 ]
    run "$PROGRAM" 0 </dev/null
    [ "$status" -eq 2 ]
    run "$PROGRAM" 0.1 <<<"soon"
    [ "$status" -eq 2 ]
}
