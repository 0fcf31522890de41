#!/usr/bin/env bats
# Exercise 2: measure reports the peak of open fds over the process tree.
load ../../../tests/helpers

fds() { sed -nE 's/.* peak_processes=[0-9]+ peak_fds=([0-9]+) exit=.*/\1/p' <<<"$output"; }

@test "four more open fds show up in peak_fds" {
    run "$PROGRAM" -- bash -c 'sleep 0.3'
    plain=$(fds)
    [ -n "$plain" ] && [ "$plain" -ge 3 ]
    run "$PROGRAM" -- bash -c 'exec 20</dev/null 21</dev/null 22</dev/null 23</dev/null; sleep 0.3'
    more=$(fds)
    [ -n "$more" ]
    [ "$more" -ge $(( plain + 4 )) ]
}
