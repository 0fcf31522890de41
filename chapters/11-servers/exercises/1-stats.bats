#!/usr/bin/env bats
# Exercise 1: GET /stats says how many requests were served and how many
# are in their backend calls.
load ../../../tests/helpers
load ../../../tests/bin/kit
teardown() { stop_servers; }

get() {   # get BASE PATH: the whole answer
    local hostport=${1#http://} fd
    exec {fd}<>"/dev/tcp/${hostport%:*}/${hostport#*:}"
    printf 'GET %s HTTP/1.0\r\n\r\n' "$2" >&"$fd"
    cat <&"$fd"
    exec {fd}<&-
}

# takes: 1.5 s
@test "after three GET /, /stats says served 3, in flight 0" {
    start_server
    start_listening AGG "$PROGRAM" --port 0 --backend-url "$SLOW" --scale 0.05
    for i in 1 2 3; do [[ $(get "$AGG" /) == "HTTP/1.0 200 OK"* ]]; done
    run get "$AGG" /stats
    [[ ${lines[0]} == "HTTP/1.0 200 OK"* ]]
    [[ $output == *$'served 3\nin flight 0'* ]]
}

# takes: 2 s
@test "a request in its backend calls is in flight" {
    start_server
    start_listening AGG "$PROGRAM" --port 0 --backend-url "$SLOW" --scale 1
    get "$AGG" / >/dev/null &
    client=$!
    sleep 0.2
    run get "$AGG" /stats
    [[ $output == *$'served 0\nin flight 1'* ]]
    wait "$client"
}
