#!/usr/bin/env bats
# Exercise 3: for each URL, the time (since its fetch began) when it was
# connected and when the first byte arrived; "-" for what never happened.

load ../../../tests/helpers

teardown() { stop_servers; }

# timing N: the timing line of URL number N: "N connected first-byte end URL".
timing() { grep -E "^ *$1  .*http" <<<"$output" | head -n 1; }
column() { timing "$1" | awk -v c="$2" '{print $c}'; }

@test "a page answered after 0.4 s: connected at once, first byte at 0.4 s" {
    start_server
    run "$PROGRAM" "$SLOW/slow?delay=0.4" "$SLOW/slow?delay=0.1"
    [ "$status" -eq 0 ]
    [[ $output == *"connected  first byte"* ]]
    check "$(column 1 2) < 0.2"
    check "$(column 1 3) >= 0.4 && $(column 1 3) < 1.2"
    check "$(column 2 3) >= 0.1 && $(column 2 3) < 0.9"
}

@test "a trickled body: the first byte comes long before the end" {
    start_server
    run "$PROGRAM" "$SLOW/slow?bytes=1000&chunk=100&every=0.1"
    [ "$status" -eq 0 ]
    check "$(column 1 3) < 0.3"
    check "$(column 1 4) >= 0.9"
}

@test "refused: neither happened; /hang: connected, no first byte" {
    start_server
    run "$PROGRAM" --timeout 0.3 "http://127.0.0.1:1/" "$SLOW/hang"
    [ "$status" -eq 1 ]
    [[ $(timing 1) =~ ^\ *1\ +-\ +-\ +[0-9.]+\ +http://127.0.0.1:1/$ ]]
    [[ $(timing 2) =~ ^\ *2\ +[0-9.]+\ +-\ +[0-9.]+\ +http.*/hang$ ]]
    [[ $output == *"blocking: 0 fetched, 2 failed"* ]]
}
