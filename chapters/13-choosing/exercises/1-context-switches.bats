#!/usr/bin/env bats
# Exercise 1: measure reports voluntary and involuntary context switches.
load ../../../tests/helpers
load ../../../tests/bin/kit

# takes: 0.5 s
@test "sleep 0.2 waits at least once: vcsw >= 1; the line keeps its fields" {
    run "$PROGRAM" -- sleep 0.2
    [ "$status" -eq 0 ]
    [[ $output =~ ^measure:\ wall=[0-9.]+\ .*\ exit=0\ vcsw=([0-9]+)\ ivcsw=([0-9]+)$ ]]
    [ "${BASH_REMATCH[1]}" -ge 1 ]
}
