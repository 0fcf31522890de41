#!/usr/bin/env bats
# Exercise 3 (chapter 15): --max-requests N answers per connection.
load ../../../tests/helpers
load ../../../tests/bin/kit
teardown() { stop_servers; }

urls() { for ((i = 0; i < $1; i++)); do echo "$2"; done; }

# opened ARGS...: the connections a traced run opened.
opened() {
    run --separate-stderr "$PROGRAM" --trace --connections 1 "$@" $(urls 10 "$SLOW/slow?bytes=3")
    [ "$status" -eq 0 ] || return 1
    sed -nE 's/.*pool: ([0-9]+) connections opened$/\1/p' <<<"$stderr"
}

# takes: 1 s
@test "--max-requests 3: 10 pages over one connection need 4 of them" {
    start_server
    [ "$(opened --max-requests 3)" = 4 ]
    [ "$(opened --max-requests 1)" = 10 ]
    [ "$(opened)" = 1 ]
}

# takes: 1 s
@test "--max-requests with pipelining: every page is still fetched once" {
    start_server
    run "$PROGRAM" --connections 2 --pipeline 4 --max-requests 3 $(urls 40 "$SLOW/slow?bytes=3")
    [ "$status" -eq 0 ]
    [[ $output == *"reuse: 40 fetched, 0 failed, 120 bytes in "* ]]
}
