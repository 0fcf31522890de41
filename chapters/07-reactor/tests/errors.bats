#!/usr/bin/env bats
# Chapter 07: when the loop itself fails (reactor_run returns -1), every
# fetch not finished fails with it, and nothing counts as fetched. A real
# failure (EBADF: a watched fd closed) cannot be caused from outside, so a
# preloaded select() fails on purpose.

load ../../../tests/helpers

FETCH="$TOP/chapters/07-reactor/fetch"

teardown() { stop_servers; }

# urls N URL: prints URL N times, one a line (for "fetch -").
urls() { for ((i = 0; i < $1; i++)); do echo "$2"; done; }

@test "select fails: the 64 fetches in flight and the 6 not started all fail, exit 1" {
    start_server
    urls 70 "$SLOW/slow?delay=0.2" >"$BATS_TEST_TMPDIR/urls"
    run --separate-stderr with_failing_select "$FETCH" - <"$BATS_TEST_TMPDIR/urls"
    [ "$status" -eq 1 ]
    [[ $output == *"reactor: 0 fetched, 70 failed, 0 bytes in "* ]]
    [ "$(grep -c '^ *[0-9]*  error .*(reactor_run: Input/output error)$' <<<"$output")" -eq 70 ]
    [[ $(result_line 64 | awk '{print $4, $5}') == 0.0*" "0.0* ]]   # started, then failed
    [ "$(result_line 65 | awk '{print $4, $5}')" = "- -" ]           # never started
    [[ $stderr == *"reactor: $SLOW/slow?delay=0.2: reactor_run: Input/output error"* ]]
}
