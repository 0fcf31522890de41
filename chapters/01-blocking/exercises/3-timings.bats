#!/usr/bin/env bats
# Exercise 3: for each URL, the time (since its fetch began) when it was
# connected and when the first byte arrived; "-" for what never happened.

load ../../../tests/helpers
load ../../../tests/bin/kit

teardown() { stop_servers; }

# timing N: the timing line of URL number N: "N connected first-byte end URL".
timing() { grep -E "^ *$1  .*http" <<<"$output" | head -n 1; }
# at N COLUMN: the time in that column of timing line N (2 connected,
# 3 first byte, 4 end); fails, saying so, when it is not a number.
at() {
    local t
    t=$(timing "$1" | awk -v c="$2" '{print $c}')
    [[ $t =~ ^[0-9]+\.[0-9]+$ ]] || { echo "URL $1: column $2 is '$t', not a time" >&2; return 1; }
    echo "$t"
}

# takes: 1 s
@test "a page answered after 0.4 s: connected at once, first byte at 0.4 s" {
    start_server
    run "$PROGRAM" "$SLOW/slow?delay=0.4" "$SLOW/slow?delay=0.1"
    [ "$status" -eq 0 ]
    [[ $output == *"connected  first byte"* ]]
    connected=$(at 1 2); first_byte=$(at 1 3); first_byte2=$(at 2 3)
    check "$connected < 0.2"
    check "$first_byte >= 0.4 && $first_byte < 1.2"
    check "$first_byte2 >= 0.1 && $first_byte2 < 0.9"
}

# takes: 1.5 s
@test "a trickled body: the first byte comes long before the end" {
    start_server
    run "$PROGRAM" "$SLOW/slow?bytes=1000&chunk=100&every=0.1"
    [ "$status" -eq 0 ]
    first_byte=$(at 1 3); end=$(at 1 4)
    check "$first_byte < 0.3"
    check "$end >= 0.9"
}

# takes: 1 s
@test "refused: neither happened; /hang: connected, no first byte" {
    start_server
    run "$PROGRAM" --timeout 0.3 "http://127.0.0.1:1/" "$SLOW/hang"
    [ "$status" -eq 1 ]
    [[ $(timing 1) =~ ^\ *1\ +-\ +-\ +[0-9.]+\ +http://127.0.0.1:1/$ ]]
    [[ $(timing 2) =~ ^\ *2\ +[0-9.]+\ +-\ +[0-9.]+\ +http.*/hang$ ]]
    [[ $output == *"blocking: 0 fetched, 2 failed"* ]]
}
