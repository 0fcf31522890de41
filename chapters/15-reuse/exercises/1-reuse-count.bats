#!/usr/bin/env bats
# Exercise 1 (chapter 15): a line on stderr counting connections and reuse.
load ../../../tests/helpers
load ../../../tests/bin/kit
teardown() { stop_servers; }

urls() { for ((i = 0; i < $1; i++)); do echo "$2"; done; }

# takes: 1 s
@test "10 pages over 2 kept connections: 8 answers on a reused one" {
    start_server
    run --separate-stderr "$PROGRAM" --connections 2 $(urls 10 "$SLOW/slow?bytes=10")
    [ "$status" -eq 0 ]
    [[ $stderr == *"connections: 2 opened, 10 answers, 8 of them on a reused connection"* ]]
    [[ $output != *connections:* ]]          # stdout: the report alone
}

# takes: 1 s
@test "a server that keeps nothing: as many connections as answers, none reused" {
    start_server --max-requests 1
    run --separate-stderr "$PROGRAM" --connections 2 $(urls 10 "$SLOW/slow?bytes=10")
    [ "$status" -eq 0 ]
    [[ $stderr == *"connections: 10 opened, 10 answers, 0 of them on a reused connection"* ]]
}
