#!/usr/bin/env bats
# Exercise 2: GET /?timeout=S answers 504 when the calls take longer.
load ../../../tests/helpers
load ../../../tests/bin/kit
teardown() { stop_servers; }

get() {
    local hostport=${1#http://} fd
    exec {fd}<>"/dev/tcp/${hostport%:*}/${hostport#*:}"
    printf 'GET %s HTTP/1.0\r\n\r\n' "$2" >&"$fd"
    cat <&"$fd"
    exec {fd}<&-
}

# takes: 1.5 s
@test "/?timeout=0.2 gets 504 after about 0.2 s; the calls take 1 s" {
    start_server
    start_listening AGG "$PROGRAM" --port 0 --backend-url "$SLOW" --scale 2
    start=$(now)
    run get "$AGG" '/?timeout=0.2'
    took=$(awk -v a="$start" -v b="$(now)" 'BEGIN { print b - a }')
    [[ ${lines[0]} == "HTTP/1.0 504 Gateway Timeout"* ]]
    check "$took >= 0.2 && $took < 0.8"
}

# takes: 1.5 s
@test "/?timeout=2 and / still get 200, and the server lives on" {
    start_server
    start_listening AGG "$PROGRAM" --port 0 --backend-url "$SLOW" --scale 0.5
    run get "$AGG" '/?timeout=0.1'
    [[ ${lines[0]} == "HTTP/1.0 504"* ]]
    run get "$AGG" '/?timeout=2'
    [[ ${lines[0]} == "HTTP/1.0 200 OK"* ]]
    run get "$AGG" /
    [[ ${lines[0]} == "HTTP/1.0 200 OK"* ]]
}
