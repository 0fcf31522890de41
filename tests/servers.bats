#!/usr/bin/env bats
# The server matrix: every server of waitless gets the same abuse (garbage,
# oversized heads, slowloris, clients vanishing mid-response, a wrk storm)
# and must still answer a normal request afterwards and stop cleanly on
# SIGTERM (stop_servers fails on a crash, or a leak under the sanitizers).
#
# Adding a server is one line in SERVERS: a name, its flags, a path it
# answers with 200, a path whose answer is long or slow (clients vanish
# while it comes), and its command line (it must print "listening on
# http://HOST:PORT" once it accepts, as common/slowserver does). Servers
# not built are skipped. FLAGS is - or a comma-separated list of:
#   backend   it calls a slow server: one is started first, and $SLOW in
#             the command line becomes its URL.
#   blocking  one connection per worker (process or thread), so two rules
#             it cannot meet by design (chapters/11-servers/README.md, "What
#             a blocking server cannot do"), and we check that it does not:
#             500 idle half-requests hold every worker until they give up,
#             so the normal client waits more than 1 s (10 s at most); and
#             after the wrk storm it first serves the requests of clients
#             that have left (the normal client gets 30 s, not 5).
# The chapter 11 servers run at --scale 0.01: GET / costs 12.5 ms in turn,
# so sync serves the 500 vanishing clients in about 7 s.

load helpers

# The reactor-based servers (and the backend slow server) run on epoll here:
# this matrix is about what a server does under abuse, not about select's
# FD_SETSIZE wall, which 500 clients of the async aggregator (each making 4
# backend calls) would hit. tests/slowserver.bats tests the wall itself.
export WAITLESS_BACKEND=epoll
CH11="$TOP/chapters/11-servers"
AGG_OPTIONS="--port 0 --backend-url \$SLOW --scale 0.01"
SERVERS=(
    "slowserver -                /slow?bytes=10 /slow?bytes=10000000 $TOP/common/slowserver --port 0"
    "sync       backend,blocking /              /                    $CH11/sync $AGG_OPTIONS"
    "prefork    backend,blocking /              /                    $CH11/prefork --processes 2 $AGG_OPTIONS"
    "threads    backend,blocking /              /                    $CH11/threads --threads 4 $AGG_OPTIONS"
    "async      backend          /              /                    $CH11/async $AGG_OPTIONS"
    "offload    backend,blocking /              /                    $CH11/offload --threads 4 $AGG_OPTIONS"
)
CLIENTS="$TOP/tests/drivers/clients"

teardown() { stop_servers; }

# raw REQUEST [SECONDS]: sends REQUEST (printf %b escapes) to $URL's port
# and prints what comes back until the server closes (SECONDS, 10, at most).
raw() {
    local fd
    exec {fd}<>"/dev/tcp/127.0.0.1/${URL##*:}" || return 1
    printf '%b' "$1" >&"$fd" 2>/dev/null   # the server may close before all is sent
    timeout "${2:-10}" cat <&"$fd"
    local status=$?
    exec {fd}>&-
    return "$status"
}

# answers_normally [LIMIT [LEAST]]: a plain GET of the server's OK path gets
# a 200, within LIMIT seconds (default 5) and after LEAST (default 0).
answers_normally() {
    local limit=${1:-5} least=${2:-0} t0 t1 reply
    t0=$(now)
    reply=$(raw "GET $OK_PATH HTTP/1.0\r\nHost: test\r\n\r\n" "$((limit + 1))" | head -n 1)
    t1=$(now)
    echo "# $NAME: a normal request answered in $(awk "BEGIN { printf \"%.3f\", $t1 - $t0 }") s" >&3
    [[ $reply == "HTTP/1."[01]" 200 "* ]] || { echo "$NAME: a normal request got '$reply'" >&2; return 1; }
    check "$t1 - $t0 < $limit" || { echo "$NAME: a normal request took more than $limit s" >&2; return 1; }
    check "$t1 - $t0 >= $least" || {
        echo "$NAME: answered in less than $least s: is the limitation gone? drop its flag" >&2
        return 1
    }
}

# has_flag FLAG: the current server's FLAGS say FLAG.
has_flag() { [[ ,$FLAGS, == *,$1,* ]]; }

# for_each_server CHECK: starts each server in turn (after its slow server,
# if it needs one), runs CHECK with $NAME, $FLAGS, $URL, $OK_PATH and
# $LONG_PATH set, then stops them; a failure names the server. CHECK runs
# as a plain command, so that set -e stops at its first failing line: run
# under || or if, every line but its last would count for nothing.
for_each_server() {
    local line cmd ran=0 t0
    for line in "${SERVERS[@]}"; do
        read -r NAME FLAGS OK_PATH LONG_PATH cmd <<<"$line"
        [ -x "${cmd%% *}" ] || continue
        t0=$(now)
        if has_flag backend; then
            start_server
            cmd=${cmd//'$SLOW'/$SLOW}
        fi
        start_listening URL $cmd
        echo "server matrix: $NAME: $1" >&2   # shown if it fails
        "$1"
        stop_servers || { echo "server matrix: $NAME did not stop cleanly after $1" >&2; return 1; }
        ran=$((ran + 1))
        echo "# $NAME: $1 took $(awk "BEGIN { printf \"%.1f\", $(now) - $t0 }") s" >&3
    done
    [ "$ran" -gt 0 ] || skip "no server is built"
}

# A complete head of nonsense is answered with a 4xx or closed unanswered.
rejects() {
    local reply
    reply=$(raw "$1" | head -n 1)
    [ -z "$reply" ] || [[ $reply == "HTTP/1."[01]" 4"* ]] || {
        echo "$NAME: '$1' got '$reply'" >&2
        return 1
    }
}

garbage() {
    local long_path
    long_path=$(printf '/%03000d' 0)
    rejects '\x00\x01\x02\xff\xfe\r\n\r\n'
    rejects '\r\n\r\n'
    rejects 'GET\r\n\r\n'
    rejects 'GET / HTTP/9.9\r\n\r\n'
    rejects ' / HTTP/1.0\r\n\r\n'
    rejects 'GET nopath HTTP/1.0\r\n\r\n'
    rejects "GET $long_path HTTP/1.0\r\n\r\n"
    rejects 'GET /\x01\x7f HTTP/1.0\r\n\r\n'
    rejects 'GET /slow?delay=nan&bytes=1e99 HTTP/1.0\r\n\r\n'
    rejects 'GET /slow?delay=-1 HTTP/1.0\r\n\r\n'
    rejects 'GET /slow?bytes=99999999999999999999 HTTP/1.0\r\n\r\n'
    rejects 'GET /status/999 HTTP/1.0\r\n\r\n'
    rejects 'GET /no/such/thing HTTP/1.0\r\n\r\n'
    # Random bytes, then half a request, then a connection that says nothing.
    head -c 20000 /dev/urandom > "$BATS_TEST_TMPDIR/noise"
    { exec 5<>"/dev/tcp/127.0.0.1/${URL##*:}"; cat "$BATS_TEST_TMPDIR/noise" >&5; exec 5>&-; } 2>/dev/null || true
    { exec 5<>"/dev/tcp/127.0.0.1/${URL##*:}"; printf 'GET /slow?delay=1 HT' >&5; exec 5>&-; } || return 1
    { exec 5<>"/dev/tcp/127.0.0.1/${URL##*:}"; exec 5>&-; } || return 1
    answers_normally
}

# refuses_with CODE REQUEST: REQUEST is answered with status CODE, which
# the server sends before it has read all of REQUEST: so it must not reset
# the connection with those bytes unread (a lingering close), or the answer
# may be lost on its way.
refuses_with() {
    local reply
    reply=$(raw "$2" | head -n 1)
    [[ $reply == "HTTP/1."[01]" $1 "* ]] || {
        echo "$NAME: a ${#2}-byte request got '$reply', not $1" >&2
        return 1
    }
}

oversized_heads() {
    local filler
    filler=$(head -c 100000 /dev/zero | tr '\0' 'x')
    refuses_with 431 "GET /slow HTTP/1.0\r\nX-Big: $filler\r\n\r\n"
    refuses_with 431 "GET /$filler HTTP/1.0\r\n\r\n"
    refuses_with 431 "$filler"
    lingers
    answers_normally
}

# lingers: a 20 MB head gets its 431 after 8 KiB; a server that closed then,
# the rest unread, would reset the connection and fail the client's write.
lingers() {
    local fd reply
    exec {fd}<>"/dev/tcp/127.0.0.1/${URL##*:}" || return 1
    if ! { printf 'GET /%020000000d HTTP/1.0\r\n\r\n' 0 >&"$fd"; } 2>/dev/null; then
        echo "$NAME: a 20 MB head was cut off by a reset: no lingering close" >&2
        exec {fd}>&-
        return 1
    fi
    reply=$(timeout 10 head -n 1 <&"$fd")
    exec {fd}>&-
    [[ $reply == "HTTP/1."[01]" 431 "* ]] || { echo "$NAME: a 20 MB head got '$reply'" >&2; return 1; }
}

slowloris() {
    local fifo="$BATS_TEST_TMPDIR/clients.out" line fd
    rm -f "$fifo"   # left by the server before
    mkfifo "$fifo"
    "$CLIENTS" idle 500 "${URL##*:}" 3 >"$fifo" 3>&- &
    local pid=$!
    exec {fd}<"$fifo"
    read -r -t 20 -u "$fd" line || true
    exec {fd}<&-
    [ "$line" = "holding 500" ] || { echo "$NAME: the idle clients said '$line'" >&2; return 1; }
    if has_flag blocking; then
        answers_normally 10 1   # once the idle clients give up, after 3 s
    else
        answers_normally 1
    fi
    wait "$pid"
}

vanishing_clients() {
    run "$CLIENTS" vanish 500 "${URL##*:}" "$LONG_PATH"
    [ "$status" -eq 0 ] && [ "$output" = "vanished 500" ] || { echo "$NAME: $output" >&2; return 1; }
    answers_normally
}

wrk_storm() {
    run wrk -t 2 -c 1000 -d 10s --timeout 5s "$URL$OK_PATH"
    [ "$status" -eq 0 ] && [[ $output =~ [1-9][0-9]*\ requests\ in ]] || {
        echo "$NAME: wrk: $output" >&2
        return 1
    }
    if has_flag blocking; then
        answers_normally 30   # after the requests wrk left behind
    else
        recovers 10
    fi
}

# recovers LIMIT: a normal request is answered within LIMIT s of the storm's
# end. Just after it, a server still at its fd limit may refuse a connection
# (the refusal the design asks for, instead of FD_SET past FD_SETSIZE), so a
# refusal is tried again; a server that never recovers fails.
recovers() {
    local deadline=$((SECONDS + $1))
    until answers_normally "$1" 2>/dev/null; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            answers_normally "$1"
            return
        fi
        sleep 0.2
    done
}

@test "server matrix: garbage requests are refused; the server goes on" {
    for_each_server garbage
}

@test "server matrix: oversized request heads are refused; the server goes on" {
    for_each_server oversized_heads
}

@test "server matrix: 500 idle half-requests (slowloris) delay a normal client 1 s at most (blocking: until they leave)" {
    for_each_server slowloris
}

@test "server matrix: 500 clients vanishing mid-response cost nothing" {
    for_each_server vanishing_clients
}

@test "server matrix: 10 s of wrk at 1000 connections, then still answering" {
    command -v wrk >/dev/null || skip "wrk is not installed"
    # A minute and a half of load; the normal build runs it, and CI's time
    # budget does not take it twice.
    [ "$(cat "$TOP/.flavor" 2>/dev/null)" != sanitize ] || skip "run by make test, not under make sanitize"
    for_each_server wrk_storm
}
