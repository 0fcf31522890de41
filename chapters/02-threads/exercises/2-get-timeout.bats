#!/usr/bin/env bats
# Exercise 02.2: tqt_get_timeout gives up after its timeout; the task goes
# on, and a later tqt_get still gets its result.
load ../../../tests/helpers
load ../../../tests/bin/kit
teardown() { stop_servers; }

# takes: 2.5 s
@test "a 1 s call waited for 0.3 s times out; getting it later still works" {
    start_server
    run "$PROGRAM" "$SLOW"
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 3 ]
    [[ ${lines[0]} == "privileges: 200 at "* ]]
    [[ ${lines[1]} == "billing: not ready after 0.30 s, at "* ]]
    [[ ${lines[2]} == "billing: 200 at "* ]]
    gave_up=$(sed -E 's/.* at ([0-9.]+) s$/\1/' <<<"${lines[1]}")
    got=$(sed -E 's/.* at ([0-9.]+) s$/\1/' <<<"${lines[2]}")
    # privileges took 0.1 s, then we waited 0.3 s for billing.
    check "$gave_up >= 0.35 && $gave_up < 0.8"
    check "$got >= 1.0 && $got < 1.5"
}
