#!/usr/bin/env bats
# Chapter 11: five servers of one aggregator. Each answers correctly, maps
# bad requests to 400 and failed backends to 502, survives 100 concurrent
# clients, stops cleanly on SIGTERM; and their speeds come in the talk's
# order: sync slowest, 4 workers about 4 times faster, async fastest.

load ../../../tests/helpers

DIR="$TOP/chapters/11-servers"
SCALE=0.1            # every backend delay x 0.1: a request costs 0.125 s in turn

teardown() { stop_servers; }

# start_agg PROGRAM [options]: one of the servers, on the slow server $SLOW;
# its base URL in $AGG.
start_agg() {
    start_listening AGG "$DIR/$1" "${@:2}" --port 0 --backend-url "$SLOW" --scale "$SCALE"
}

# stop_agg [SIGNAL]: SIGNAL (TERM) to the server start_agg started last;
# fails unless it exits with status 0 within 5 s (else it is killed, so a
# server that ignores the signal fails the test instead of hanging it).
# The slow server keeps running.
stop_agg() {
    local n=$(( ${#SERVER_PIDS[@]} - 1 )) pid i status=0
    pid=${SERVER_PIDS[$n]}
    kill "-${1:-TERM}" "$pid"
    for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    if kill -0 "$pid" 2>/dev/null; then
        echo "server $pid ignored SIG${1:-TERM} for 5 s" >&2
        kill -KILL "$pid"
    fi
    wait "$pid" || status=$?
    unset "SERVER_PIDS[$n]"
    rm -f "$BATS_TEST_TMPDIR/listen.$n"
    [ "$status" -eq 0 ] || { echo "server $pid exited with status $status" >&2; return 1; }
}

# raw_request BASE_URL TEXT: sends TEXT (printf %b escapes) on a new
# connection to BASE_URL and prints everything the server answers.
raw_request() {
    local hostport=${1#http://} fd
    exec {fd}<>"/dev/tcp/${hostport%:*}/${hostport#*:}"
    printf '%b' "$2" >&"$fd"
    cat <&"$fd"
    exec {fd}<&-
}

# hammer_wall: the wall time of hammer's summary line in $output.
hammer_wall() {
    sed -nE 's/^hammer: .*, ([0-9.]+) s wall, .*/\1/p' <<<"$output"
}

SERVERS=("sync" "prefork --processes 4" "threads --threads 4" "async" "offload --threads 4")

@test "every server answers GET / with 200 and what its calls took" {
    start_server
    for server in "${SERVERS[@]}"; do
        start_agg $server
        run raw_request "$AGG" 'GET / HTTP/1.0\r\nHost: x\r\n\r\n'
        [[ ${lines[0]} == "HTTP/1.0 200 OK"* ]]
        [[ $output == *"Content-Length: "* ]]
        case $server in
            sync|prefork*|threads*) how="one after another"; least=0.12 ;;
            *)                      how="at once";           least=0.049 ;;
        esac
        [[ $output == *"with 4 backend calls (1024 bytes) made $how."* ]]
        took=$(sed -nE 's/^This call lasted ([0-9.]+) seconds.*/\1/p' <<<"$output")
        check "$took >= $least && $took < 4 * $least"
        stop_agg
    done
}

@test "--host ::1: every server listens on IPv6 and calls a backend on [::1]" {
    need_ipv6
    start_server --host ::1
    for server in "${SERVERS[@]}"; do
        start_agg $server --host ::1
        [[ $AGG =~ ^http://\[::1\]:[0-9]+$ ]]
        local fd
        exec {fd}<>"/dev/tcp/::1/${AGG##*:}"
        printf 'GET / HTTP/1.0\r\nHost: [::1]\r\n\r\n' >&"$fd"
        run timeout 10 cat <&"$fd"
        exec {fd}<&-
        [[ ${lines[0]} == "HTTP/1.0 200 OK"* ]]
        [[ $output == *"with 4 backend calls (1024 bytes) made "* ]]
        stop_agg
    done
}

@test "curl gets the same answer, its length as promised" {
    command -v curl >/dev/null || skip "curl is not installed"
    start_server
    start_agg async
    run curl -sS -D "$BATS_TEST_TMPDIR/head" "$AGG/"
    [ "$status" -eq 0 ]
    [[ $output == "This call lasted "*" made at once." ]]
    length=$(tr -d '\r' <"$BATS_TEST_TMPDIR/head" | sed -n 's/^Content-Length: //p')
    [ "$length" -eq "$(( ${#output} + 1 ))" ]    # + the newline run strips
}

@test "bad requests get 400, other paths 404, other methods 405, on every server" {
    start_server
    for server in "${SERVERS[@]}"; do
        start_agg $server
        run raw_request "$AGG" 'NONSENSE\r\n\r\n'
        [[ ${lines[0]} == "HTTP/1.0 400 Bad Request"* ]]
        run raw_request "$AGG" 'GET /nope HTTP/1.0\r\n\r\n'
        [[ ${lines[0]} == "HTTP/1.0 404 Not Found"* ]]
        run raw_request "$AGG" 'POST / HTTP/1.0\r\n\r\n'
        [[ ${lines[0]} == "HTTP/1.0 405 Method Not Allowed"* ]]
        stop_agg
    done
}

@test "a backend that cannot be reached makes a 502 naming the call" {
    SLOW=http://127.0.0.1:1     # nothing listens on port 1
    for server in sync async "offload --threads 1"; do
        start_agg $server
        run raw_request "$AGG" 'GET / HTTP/1.0\r\n\r\n'
        [[ ${lines[0]} == "HTTP/1.0 502 Bad Gateway"* ]]
        [[ $output == *"backend call 1 (http://127.0.0.1:1/slow?delay=0.0125&bytes=256) failed: connect 127.0.0.1:1: Connection refused"* ]]
        stop_agg
    done
}

@test "the talk's order: sync ~4x prefork-4 ~ threads-4 > async" {
    start_server
    declare -A wall
    for server in sync "prefork --processes 4" "threads --threads 4" async; do
        start_agg $server
        run "$DIR/hammer" --requests 20 --concurrency 4 "$AGG/"
        [ "$status" -eq 0 ]
        [[ $output == "hammer: 20 requests, 0 failed, concurrency 4, "* ]]
        wall[${server%% *}]=$(hammer_wall)
        stop_agg
    done
    echo "sync ${wall[sync]} prefork ${wall[prefork]} threads ${wall[threads]} async ${wall[async]}"
    check "${wall[sync]} >= 2.4"                           # 20 x 0.125 s
    check "${wall[sync]} / ${wall[prefork]} > 2.5 && ${wall[sync]} / ${wall[prefork]} < 5"
    check "${wall[sync]} / ${wall[threads]} > 2.5 && ${wall[sync]} / ${wall[threads]} < 5"
    check "${wall[async]} < 0.8 * ${wall[prefork]} && ${wall[async]} < 0.8 * ${wall[threads]}"
}

@test "every server survives 100 clients at once" {
    SCALE=0.01
    start_server
    for server in "${SERVERS[@]}" "prefork --processes 2 --threads 2"; do
        start_agg $server
        run "$DIR/hammer" --requests 200 --concurrency 100 "$AGG/"
        echo "$server: $output"
        [ "$status" -eq 0 ]
        [[ $output == "hammer: 200 requests, 0 failed, concurrency 100, "* ]]
        stop_agg
    done
}

# children_of PID: the pids whose parent is PID.
children_of() {
    local f
    for f in /proc/[0-9]*/status; do
        awk -v p="$1" '$1 == "PPid:" && $2 == p { split(FILENAME, a, "/"); print a[3] }' "$f" 2>/dev/null
    done
}

@test "prefork forks its workers, and SIGTERM to the parent stops and reaps them all" {
    start_server
    start_agg prefork --processes 3
    pid=${SERVER_PIDS[1]}
    for i in $(seq 100); do      # it prints "listening" before it forks
        workers=($(children_of "$pid"))
        [ "${#workers[@]}" -lt 3 ] || break
        sleep 0.05
    done
    [ "${#workers[@]}" -eq 3 ]
    stop_servers                 # fails unless the parent exits 0 within 5 s
    for w in "${workers[@]}"; do not kill -0 "$w"; done
}

@test "SIGINT stops the threaded servers with status 0, mid-request too" {
    start_server
    for server in "threads --threads 4" "offload --threads 2" async; do
        start_agg $server
        raw_request "$AGG" 'GET / HTTP/1.0\r\n\r\n' >/dev/null &
        client=$!
        sleep 0.05               # the request is in its backend calls now
        stop_agg INT
        wait "$client" || true
    done
}

@test "usage: --help is 0; a missing --backend-url or a bad value is 2" {
    for p in sync prefork threads async offload hammer; do
        run "$DIR/$p" --help
        [ "$status" -eq 0 ]
        [[ $output == usage:* ]]
    done
    run --separate-stderr "$DIR/sync" --port 0
    [ "$status" -eq 2 ]
    [[ $stderr == *"--backend-url is required"* ]]
    run --separate-stderr "$DIR/prefork" --backend-url http://127.0.0.1:1 --processes 0
    [ "$status" -eq 2 ]
    [[ $stderr == *"--processes must be a number from 1 to 64: 0"* ]]
    run --separate-stderr "$DIR/sync" --backend-url http://127.0.0.1:1 --threads 4
    [ "$status" -eq 2 ]
    [[ $stderr == *"unknown option: --threads"* ]]
    run --separate-stderr "$DIR/async" --backend-url http://127.0.0.1:1/x
    [ "$status" -eq 1 ]
    [[ $stderr == *"give http://host:port only"* ]]
    run --separate-stderr "$DIR/hammer" --requests 0 http://127.0.0.1:1/
    [ "$status" -eq 2 ]
    [[ $stderr == *"--requests: bad value '0'"* ]]
    run --separate-stderr "$DIR/hammer" --rate 2 --concurrency 3 http://127.0.0.1:1/
    [ "$status" -eq 2 ]
    [[ $stderr == *"not both"* ]]
    run --separate-stderr "$DIR/hammer" --duration 2 http://127.0.0.1:1/
    [ "$status" -eq 2 ]
    run --separate-stderr "$DIR/hammer" --rate 1 http://127.0.0.1:1/ extra
    [ "$status" -eq 2 ]
    [[ $stderr == *"one URL only"* ]]
}

@test "hammer counts errors and non-200 answers as failures, and exits 1" {
    start_server
    run --separate-stderr "$DIR/hammer" --requests 10 --concurrency 3 "$SLOW/status/500"
    [ "$status" -eq 1 ]
    [[ $output == "hammer: 10 requests, 10 failed, concurrency 3, "* ]]
    [[ $stderr == *"hammer: request 1: status not 200"* ]]
    run --separate-stderr "$DIR/hammer" --requests 2 --timeout 0.3 "$SLOW/hang"
    [ "$status" -eq 1 ]
    [[ $stderr == *"timed out after 0.30 s"* ]]
    run "$DIR/hammer" --requests 8 --concurrency 8 "$SLOW/slow?delay=0.2"
    [ "$status" -eq 0 ]
    [[ ${lines[1]} == "latency: p50 0.2"*", p90 0.2"*", p99 0.2"*", p99.9 0.2"*", max 0.2"*" s" ]]
    check "$(hammer_wall) < 0.4"   # eight at once: one delay, not eight
}

# p NAME: hammer's percentile NAME (p50, p99, max) from $output, in seconds.
p() {
    sed -nE "s/^latency:.*[ ,]$1 ([0-9.]+) s.*/\1/p" <<<"$output"
}

@test "hammer --rate: on schedule, each request timed from when it was due" {
    start_server
    run "$DIR/hammer" --rate 20 --duration 0.5 "$SLOW/slow?delay=0.2"
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == "hammer: 10 requests, 0 failed, open loop at 20 requests/s for 0.5 s, "*" connections at most (cap 500), "* ]]
    echo "p50 $(p p50) max $(p max)"
    check "$(p p50) >= 0.2 && $(p max) < 0.4"
    check "$(hammer_wall) > 0.6 && $(hammer_wall) < 1.2"   # the last sent at 0.45 s
    # A cap of 2 connections: the others wait their turn, and it shows.
    run "$DIR/hammer" --rate 20 --duration 0.5 --connections 2 "$SLOW/slow?delay=0.2"
    [[ ${lines[0]} == *", 2 connections at most (cap 2), "* ]]
    echo "capped: max $(p max)"
    check "$(p max) > 0.6"       # 10 requests, 2 at a time: the last waits 4 turns
}

# A planted stall: a client that connects to the sync server and sends no
# request keeps it in its read for STALL seconds (the first connection in
# its accept queue), then closes. hammer starts just after it.
stalled_run() {
    local hostport=${AGG#http://} fd
    exec {fd}<>"/dev/tcp/${hostport%:*}/${hostport#*:}"
    "$DIR/hammer" "$@" "$AGG/" >"$BATS_TEST_TMPDIR/out" {fd}<&- &   # only we hold it
    sleep "$STALL"
    exec {fd}<&-
    wait "$!" || true
    output=$(cat "$BATS_TEST_TMPDIR/out")
    echo "hammer $*: $output"
}

@test "a planted stall: the closed loop's p99 misses it, the open loop's does not" {
    SCALE=0.01 STALL=0.6       # a request costs ~0.0125 s; one stall of 0.6 s
    start_server
    start_agg sync
    stalled_run --requests 100 --concurrency 1
    closed=$(p p99)
    check "$(p max) > 0.8 * $STALL"        # its one stalled request saw it ...
    check "$closed < 0.25 * $STALL"        # ... and p99 is the other 99
    stop_agg
    start_agg sync
    stalled_run --rate 20 --duration 1.5   # 30 requests, 12 of them due in the stall
    check "$(p p90) > 0.5 * $STALL && $(p p99) > 0.8 * $STALL"
    check "$(p p99) > 3 * $closed"
}

@test "open loop against closed: the sync server's queue grows, async's does not" {
    SCALE=0.1                  # sync serves 8 requests a second; 16 come
    start_server
    for server in sync async; do
        start_agg $server
        run "$DIR/hammer" --rate 16 --duration 1 "$AGG/"
        echo "$server open: $output"
        open[${#open[@]}]=$(p p99)
        stop_agg
    done
    start_agg sync
    run "$DIR/hammer" --requests 8 --concurrency 1 "$AGG/"
    echo "sync closed: $output"
    check "$(p p99) < 0.3"                 # the service time, 0.125 s
    check "${open[0]} > 0.7"               # the 16th waits for 15 before it: ~1 s
    check "${open[1]} < 0.3"               # async: each request its own 0.05 s
}

@test "./latency: a row per server; sync's open-loop p99 over its closed one; the picture" {
    run "$DIR/latency" --scale 0.1 --duration 0.5 --rates 16 --svg "$BATS_TEST_TMPDIR/l.svg"
    echo "$output"
    [ "$status" -eq 0 ]
    [ "$(grep -cE '^[a-z]+( --[a-z]+ [0-9]+)? +[0-9.]+ +[0-9.]+ +[0-9.]+  [0-9]+$' <<<"$output")" -eq 5 ]
    read -r _ _ closed open _ < <(grep '^sync ' <<<"$output")
    check "$open > 2 * $closed"            # 8 requests due in 0.5 s, served in 1 s
    read -r _ _ closed open _ < <(grep '^async ' <<<"$output")
    check "$open < 2 * $closed"
    [ "$(grep -c '<polyline ' "$BATS_TEST_TMPDIR/l.svg")" -eq 5 ]
    [[ $(cat "$BATS_TEST_TMPDIR/l.svg") == *"<desc>Drawn by chapters/11-servers/latency-svg"*"sync "*"</svg>" ]]
    run "$DIR/latency-svg" </dev/null
    [ "$status" -eq 1 ]
    [[ $output == *"no rows in the input"* ]]
}
