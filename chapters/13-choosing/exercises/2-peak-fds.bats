#!/usr/bin/env bats
# Exercise 2: measure reports the peak of open fds over the process tree.
load ../../../tests/helpers
load ../../../tests/bin/kit

fds() { sed -nE 's/.* peak_processes=[0-9]+ peak_fds=([0-9]+) exit=.*/\1/p' <<<"$output"; }

# takes: 2 s
@test "forty more open fds show up in peak_fds" {
    run "$PROGRAM" -- bash -c 'sleep 0.3'
    plain=$(fds)
    [ -n "$plain" ]
    [ "$plain" -ge 3 ]
    # Forty, not four: a sample may catch a shell holding a few fds of its
    # own for a moment, and that must not decide the test.
    run "$PROGRAM" -- bash -c 'for fd in $(seq 20 59); do eval "exec $fd</dev/null"; done; sleep 0.3'
    more=$(fds)
    [ -n "$more" ]
    [ "$more" -ge $(( plain + 30 )) ]
}
