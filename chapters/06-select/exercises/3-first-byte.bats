#!/usr/bin/env bats
# Exercise 3 (chapter 06): per-URL connect and first-byte times on stderr.
load ../../../tests/helpers
load ../../../tests/bin/kit
teardown() { stop_servers; }

# takes: 0.4 s
@test "a 0.3 s page: connected at once, first byte after 0.3 s" {
    start_server
    url="$SLOW/slow?delay=0.3"
    run --separate-stderr "$PROGRAM" "$url" "$SLOW/slow?delay=0.1"
    [ "$status" -eq 0 ]
    line=$(grep -F "timing: $url connected after " <<<"$stderr")
    [[ $line =~ connected\ after\ ([0-9.]+)\ s,\ first\ byte\ after\ ([0-9.]+)\ s$ ]]
    check "${BASH_REMATCH[1]} < 0.1 && ${BASH_REMATCH[2]} >= 0.3 && ${BASH_REMATCH[2]} < 0.5"
    [ "$(grep -c '^timing: ' <<<"$stderr")" -eq 2 ]
}

# takes: 0.1 s
@test "a failed fetch prints no timing line" {
    start_server
    run --separate-stderr "$PROGRAM" "http://127.0.0.1:1/" "$SLOW/slow?bytes=3"
    [ "$status" -eq 1 ]
    [ "$(grep -c '^timing: ' <<<"$stderr")" -eq 1 ]
}
