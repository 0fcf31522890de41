#!/usr/bin/env bats
# Chapter 14's floor: N connections set up by a plain blocking loop, then
# their answers read. It needs no io_uring. What it prints is a time, so
# the tests check what it counts, its errors, and that it stops.

load ../../../tests/helpers

FLOOR="$TOP/chapters/14-completion/floor"

teardown() { stop_servers; }

@test "floor: 50 connections set up, then 50 answers read; the total is the page's delay plus the setup" {
    start_server --backend epoll
    run --separate-stderr "$FLOOR" --connections 50 "$SLOW/slow?delay=0.3&bytes=100"
    [ "$status" -eq 0 ]
    [ -z "$stderr" ]
    [[ $output =~ ^floor:\ 50\ connections\ set\ up\ in\ ([0-9.]+)\ s\ \(([0-9.]+)\ us\ each\),\ 50\ answered\ in\ ([0-9.]+)\ s$ ]]
    setup=${BASH_REMATCH[1]} total=${BASH_REMATCH[3]}
    # Set up one after another, but waited for together: 0.3 s and the
    # setup, not 50 x 0.3 s.
    check "$total >= 0.3 && $total < 0.3 + $setup + 0.5 && $setup < 0.3"
}

@test "floor: a refused port and a silent page fail, named, and it stops by --timeout" {
    start_server
    run --separate-stderr timeout 20 "$FLOOR" --connections 5 http://127.0.0.1:1/
    [ "$status" -eq 1 ]
    [ "$stderr" = "floor: http://127.0.0.1:1/: connection 1 of 5: 127.0.0.1:1: Connection refused" ]
    [ "$output" = "floor: 0 connections set up in 0.000 s (0.0 us each), 0 answered in 0.000 s" ]
    run --separate-stderr timeout 20 "$FLOOR" --connections 3 --timeout 0.5 "$SLOW/hang"
    [ "$status" -eq 1 ]
    [ "$stderr" = "floor: $SLOW/hang: connection 1: read: Connection timed out" ]
    [[ $output =~ 0\ answered\ in\ 0\.5[0-9]*\ s$ ]]
}

@test "floor: --help, and usage errors exit 2 naming the problem" {
    run "$FLOOR" --help
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == "usage: floor [--connections N] [--timeout S] URL" ]]
    run --separate-stderr "$FLOOR"
    [ "$status" -eq 2 ]
    [ "${stderr_lines[0]}" = "floor: a URL is needed" ]
    run --separate-stderr "$FLOOR" --connections 0 http://127.0.0.1:1/
    [ "$status" -eq 2 ]
    [ "${stderr_lines[0]}" = "floor: --connections must be a number from 1 to 1000000, not '0'" ]
    run --separate-stderr "$FLOOR" --timeout -1 http://127.0.0.1:1/
    [ "$status" -eq 2 ]
    run --separate-stderr "$FLOOR" --connections=0 http://127.0.0.1:1/   # getopt_long's other form
    [ "${stderr_lines[0]}" = "floor: --connections must be a number from 1 to 1000000, not '0'" ]
    run --separate-stderr "$FLOOR" --bogus http://127.0.0.1:1/
    [ "$status" -eq 2 ]
    [ "${stderr_lines[0]}" = "floor: unknown option '--bogus'" ]
    run --separate-stderr "$FLOOR" http://127.0.0.1:1/ http://127.0.0.1:2/
    [ "$status" -eq 2 ]
    run --separate-stderr "$FLOOR" "htp://x"
    [ "$status" -eq 2 ]
    run --separate-stderr "$FLOOR" --connections
    [ "$status" -eq 2 ]
    [ "${stderr_lines[0]}" = "floor: --connections needs a value" ]
}

@test "floor: more connections than fds is said before any is made" {
    run --separate-stderr bash -c "ulimit -n 64; '$FLOOR' --connections 100 http://127.0.0.1:1/"
    [ "$status" -eq 1 ]
    [ "$stderr" = "floor: 100 connections need 116 fds; the limit here is 64" ]
}

@test "floor: valgrind finds no leak and no error, answers and failures alike" {
    command -v valgrind >/dev/null || skip "valgrind is not installed"
    [ "$(cat "$TOP/.flavor" 2>/dev/null)" = normal ] || skip "valgrind runs on the normal build"
    start_server
    run valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99 \
        "$FLOOR" --connections 20 "$SLOW/slow?delay=0.1"
    [ "$status" -eq 0 ]
    run valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99 \
        "$FLOOR" --connections 3 --timeout 0.5 "$SLOW/hang"
    [ "$status" -eq 1 ]                # the page never came; 99 would be valgrind
    run valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99 \
        "$FLOOR" http://127.0.0.1:1/
    [ "$status" -eq 1 ]
}
