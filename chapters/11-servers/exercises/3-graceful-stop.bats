#!/usr/bin/env bats
# Exercise 3: on SIGTERM, finish what is in flight, refuse new clients, exit 0.
load ../../../tests/helpers
load ../../../tests/bin/kit
teardown() { stop_servers; }

get() {
    local hostport=${1#http://} fd
    exec {fd}<>"/dev/tcp/${hostport%:*}/${hostport#*:}" || return 1
    printf 'GET %s HTTP/1.0\r\n\r\n' "$2" >&"$fd"
    timeout 10 cat <&"$fd"
    exec {fd}<&-
}

# takes: 1 s
@test "a request in flight at SIGTERM is answered; a new one is refused; exit 0" {
    start_server
    start_listening AGG "$PROGRAM" --port 0 --backend-url "$SLOW" --scale 1
    pid=${SERVER_PIDS[1]}
    get "$AGG" / >"$BATS_TEST_TMPDIR/answer" &
    client=$!
    sleep 0.15                       # its calls run until 0.5 s
    kill -TERM "$pid"
    sleep 0.1
    not get "$AGG" /                 # refused: nobody listens any more
    wait "$client"
    [[ $(head -n 1 "$BATS_TEST_TMPDIR/answer") == "HTTP/1.0 200 OK"* ]]
    for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    not kill -0 "$pid"               # it exits by itself within 5 s,
    wait "$pid"                      # with status 0
    unset "SERVER_PIDS[1]"
}
