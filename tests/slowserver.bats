#!/usr/bin/env bats
# The slow server: endpoints, faults, bad requests, and many clients at once.
# Raw requests go through bash's /dev/tcp, so no client program is needed.

load helpers

teardown() { stop_servers; }

# raw REQUEST: sends REQUEST (printf %b escapes) and prints the response.
raw() {
    local fd
    exec {fd}<>"/dev/tcp/127.0.0.1/${SLOW##*:}"
    printf '%b' "$1" >&"$fd"
    timeout 10 cat <&"$fd"
    local status=$?
    exec {fd}>&-
    return "$status"
}

get() { raw "GET $1 HTTP/1.0\r\nHost: test\r\n\r\n"; }

@test "prints its URL once listening, on a free port" {
    start_server
    [[ $SLOW =~ ^http://127\.0\.0\.1:[0-9]+$ ]]
    [ "${SLOW##*:}" -gt 0 ]
}

@test "--host ::1 listens on the IPv6 loopback and says so in brackets" {
    need_ipv6
    start_server --host ::1
    [[ $SLOW =~ ^http://\[::1\]:[0-9]+$ ]]
    local fd
    exec {fd}<>"/dev/tcp/::1/${SLOW##*:}"
    printf 'GET /slow?bytes=5 HTTP/1.0\r\nHost: [::1]\r\n\r\n' >&"$fd"
    run timeout 10 cat <&"$fd"
    exec {fd}>&-
    [[ $output == "HTTP/1.0 200 OK"*$'\r\n\r\n00000' ]]
}

@test "--help, and usage errors exit 2" {
    run "$SLOWSERVER" --help
    [ "$status" -eq 0 ]
    [[ $output == *"/slow?delay=S&bytes=N"* ]]
    run "$SLOWSERVER" --frobnicate
    [ "$status" -eq 2 ]
    [[ $output == *"unknown option '--frobnicate'"* ]]
    run "$SLOWSERVER" --port 70000
    [ "$status" -eq 2 ]
    [[ $output == *"--port must be a number from 0 to 65535"* ]]
    run "$SLOWSERVER" --port
    [ "$status" -eq 2 ]
}

@test "--backend picks the reactor's backend; an unknown one is a usage error" {
    for b in select poll epoll; do
        start_server --backend "$b"
        run get "/slow?delay=0.1&bytes=10"
        [[ ${lines[0]} == "HTTP/1.0 200 OK"* ]]
    done
    run "$SLOWSERVER" --backend kqueue
    [ "$status" -eq 2 ]
    [[ $output == *"--backend must be select, poll or epoll, not 'kqueue'"* ]]
    WAITLESS_BACKEND=kqueue run "$SLOWSERVER" --port 0
    [ "$status" -eq 1 ]
    [[ $output == *"reactor: WAITLESS_BACKEND=kqueue: unknown backend (choose select, poll or epoll)"* ]]
    run "$SLOWSERVER" --help
    [[ $output == *"--backend NAME"* ]]
}

@test "a port already in use: the bind error, exit 1" {
    start_server
    run "$SLOWSERVER" --port "${SLOW##*:}"
    [ "$status" -eq 1 ]
    [[ $output == *"bind 127.0.0.1:${SLOW##*:}: Address already in use"* ]]
}

@test "/slow waits, then sends exactly N bytes of the pattern" {
    start_server
    t0=$(now)
    run get "/slow?delay=0.3&bytes=130"
    t1=$(now)
    [ "$status" -eq 0 ]
    check "$t1 - $t0 >= 0.3"
    [[ ${lines[0]} == "HTTP/1.0 200 OK"* ]]
    [[ $output == *"Content-Length: 130"* ]]
    body=${output#*$'\r\n\r\n'}
    [ "${#body}" -eq 130 ]
    [[ $body == "0000000 waitless slow body"*$'\n'"0000001 waitless"*$'\n'"00"* ]]
}

@test "the body pattern numbers its lines, so pieces cannot go missing unseen" {
    start_server
    get "/slow?bytes=640" | tail -n 10 > "$BATS_TEST_TMPDIR/body"
    run cut -c1-7 "$BATS_TEST_TMPDIR/body"
    [ "${lines[0]}" = "0000000" ]
    [ "${lines[9]}" = "0000009" ]
    [ "$(wc -c < "$BATS_TEST_TMPDIR/body")" -eq 640 ]
}

@test "trickling: chunk=B&every=S sends the body in pieces over time" {
    start_server
    t0=$(now)
    run get "/slow?bytes=300&chunk=100&every=0.2"
    t1=$(now)
    check "$t1 - $t0 >= 0.4 && $t1 - $t0 < 2"
    body=${output#*$'\r\n\r\n'}
    [ "${#body}" -eq 300 ]
}

@test "fault endpoints: status, truncate, garbage, statusonly, nolength, bigheaders" {
    start_server
    run get "/status/404"
    [[ ${lines[0]} == "HTTP/1.0 404 "* ]]
    run get "/status/503"
    [[ ${lines[0]} == "HTTP/1.0 503 "* ]]
    run get "/truncate?bytes=1000"
    [[ $output == *"Content-Length: 1000"* ]]
    body=${output#*$'\r\n\r\n'}
    [ "${#body}" -eq 500 ]
    run get "/garbage"
    [[ $output == "SSH-2.0"* ]]
    run get "/statusonly"
    [ "$output" = $'HTTP/1.0 200 OK\r\n\r\nno headers at all' ]
    run get "/nolength?bytes=64"
    [[ $output != *"Content-Length"* ]]
    [ "$(get "/bigheaders" | wc -c)" -gt 70000 ]
}

@test "/reset closes with a TCP reset" {
    command -v curl >/dev/null || skip "curl is not installed"
    start_server
    run curl -sS "$SLOW/reset"
    [ "$status" -eq 56 ]
    [[ $output == *"reset by peer"* ]]
}

@test "/hang answers nothing until the client gives up" {
    start_server
    t0=$(now)
    run timeout 0.5 bash -c "exec 5<>/dev/tcp/127.0.0.1/${SLOW##*:}; printf 'GET /hang HTTP/1.0\r\n\r\n' >&5; cat <&5"
    [ "$status" -eq 124 ]
    [ -z "$output" ]
    run get "/slow?bytes=1"
    [[ ${lines[0]} == "HTTP/1.0 200 OK"* ]]
}

@test "bad requests get 400, other methods 405, unknown paths 404" {
    start_server
    run raw 'this is not http\r\n\r\n'
    [[ ${lines[0]} == "HTTP/1.0 400 Bad Request"* ]]
    run raw 'GET /slow\r\n\r\n'
    [[ ${lines[0]} == "HTTP/1.0 400 Bad Request"* ]]
    run get "/slow?delay=abc"
    [[ ${lines[0]} == "HTTP/1.0 400 Bad Request"* ]]
    [[ $output == *"delay must be a number from 0 to 3600"* ]]
    run get "/slow?bytes=-1"
    [[ $output == *"bytes must be a whole number"* ]]
    run raw 'POST /slow HTTP/1.0\r\n\r\n'
    [[ ${lines[0]} == "HTTP/1.0 405 "* ]]
    run get "/nowhere"
    [[ ${lines[0]} == "HTTP/1.0 404 Not Found"* ]]
}

@test "a request head over 8 KiB gets 431" {
    start_server
    filler=$(printf 'X-Filler: %01000d\r\n' $(seq 9))
    run raw "GET /slow HTTP/1.0\r\n$filler\r\n\r\n"
    [[ ${lines[0]} == "HTTP/1.0 431 Request Header Fields Too Large"* ]]
}

@test "--verbose logs request lines with control characters as '?'" {
    start_server --verbose
    run raw 'GET /\e[2J\x01 HTTP/1.0\r\n\r\n'
    [[ ${lines[0]} == "HTTP/1.0 400 Bad Request"* ]]
    grep -qF 'slowserver: fd ' "$BATS_TEST_TMPDIR/server.0.log"
    grep -qF ': GET /?[2J? HTTP/1.0' "$BATS_TEST_TMPDIR/server.0.log"
    not grep -q $'\e' "$BATS_TEST_TMPDIR/server.0.log"
}

@test "a half-sent request is closed after the head timeout" {
    start_server --head-timeout 0.3
    t0=$(now)
    run raw 'GET /slow?delay=5 HTTP/1.0\r\n'
    t1=$(now)
    [ "$status" -eq 0 ]       # the server closed: cat saw end of stream
    [ -z "$output" ]
    check "$t1 - $t0 >= 0.3 && $t1 - $t0 < 3"
}

@test "clients vanishing mid-response cost nothing" {
    start_server
    for i in $(seq 20); do
        exec {fd}<>"/dev/tcp/127.0.0.1/${SLOW##*:}"
        printf 'GET /slow?bytes=10000000 HTTP/1.0\r\n\r\n' >&"$fd"
        head -c 1000 <&"$fd" >/dev/null
        exec {fd}>&-
    done
    run get "/slow?bytes=10"
    [[ ${lines[0]} == "HTTP/1.0 200 OK"* ]]
}

@test "fds over FD_SETSIZE are refused and logged, never passed to FD_SET" {
    # Start the server with fds 10..1023 taken, so its 5th client gets fd 1024.
    start_listening SLOW bash -c "for fd in \$(seq 3 9); do eval \"exec \$fd>&-\"; done
                                  for fd in \$(seq 10 1023); do eval \"exec \$fd</dev/null\"; done
                                  exec '$SLOWSERVER' --port 0 --backend select"
    held=()
    for i in 1 2 3 4; do
        exec {fd}<>"/dev/tcp/127.0.0.1/${SLOW##*:}"
        printf 'GET /hang HTTP/1.0\r\n\r\n' >&"$fd"
        held+=("$fd")
    done
    run get "/slow?bytes=10"
    [[ $output != *HTTP* ]]
    grep -q "refusing connection on fd 1024: over FD_SETSIZE for select" "$BATS_TEST_TMPDIR/server.0.log"
    for fd in "${held[@]}"; do exec {fd}>&-; done
    # Once the server has closed its side of the four, the next client gets
    # an fd below FD_SETSIZE and its answer; until then it may still get
    # fd 1024 and be refused: ask until it answers (5 s at most).
    for i in $(seq 100); do
        run get "/slow?bytes=10"
        [[ ${lines[0]:-} == "HTTP/1.0 200 OK"* ]] && break
        sleep 0.05
    done
    [[ ${lines[0]} == "HTTP/1.0 200 OK"* ]]
}

@test "200 concurrent delayed requests are all answered within 1.5 x the delay" {
    command -v curl >/dev/null || skip "curl is not installed"
    start_server
    for i in $(seq 200); do echo "url = \"$SLOW/slow?delay=1&bytes=100&n=$i\""; echo "output = /dev/null"; done > "$BATS_TEST_TMPDIR/urls"
    t0=$(now)
    run curl -sS --no-progress-meter --parallel --parallel-immediate --parallel-max 200 -w '%{http_code}\n' -K "$BATS_TEST_TMPDIR/urls"
    t1=$(now)
    [ "$status" -eq 0 ]
    [ "$(grep -c '^200$' <<<"$output")" -eq 200 ]
    check "$t1 - $t0 >= 1 && $t1 - $t0 < 1.5"
}

@test "SIGTERM stops it cleanly with clients still connected" {
    start_server
    exec {fd}<>"/dev/tcp/127.0.0.1/${SLOW##*:}"
    printf 'GET /hang HTTP/1.0\r\n\r\n' >&"$fd"
    stop_servers
}

# ---- persistence (RFC 9112 section 9), chapter 15 ----------------------

# get11 PATH [HEADER]: one HTTP/1.1 request line and head.
req11() { printf 'GET %s HTTP/1.1\\r\\nHost: test\\r\\n%s\\r\\n' "$1" "${2:+$2\\r\\n}"; }

@test "--keepalive-timeout and --max-requests: usage errors exit 2" {
    run "$SLOWSERVER" --keepalive-timeout 0
    [ "$status" -eq 2 ]
    [[ $output == *"--keepalive-timeout must be seconds in (0, 3600], not '0'"* ]]
    run "$SLOWSERVER" --max-requests -1
    [ "$status" -eq 2 ]
    [[ $output == *"--max-requests must be a number from 0 to 1000000000, not '-1'"* ]]
    run "$SLOWSERVER" --help
    [[ $output == *"--keepalive-timeout S"*"--max-requests N"* ]]
}

@test "HTTP/1.1 keeps the connection until it is idle for --keepalive-timeout" {
    start_server --keepalive-timeout 0.5
    t0=$(now)
    run raw "$(req11 '/slow?bytes=3')"
    t1=$(now)
    [ "$status" -eq 0 ]                      # the server closed it, idle
    [[ ${lines[0]} == "HTTP/1.1 200 OK"* ]]
    [[ $output == *"Connection: keep-alive"*"Keep-Alive: timeout=0.5"*"Content-Length: 3"* ]]
    check "$t1 - $t0 >= 0.5 && $t1 - $t0 < 3"
}

@test "HTTP/1.0 closes unless it asks for keep-alive; 1.1 with Connection: close closes" {
    start_server --keepalive-timeout 0.5
    t0=$(now)
    run get "/slow?bytes=3"                  # HTTP/1.0: closed at once
    run raw "$(req11 '/slow?bytes=3' 'Connection: close')"
    t1=$(now)
    [[ $output == "HTTP/1.1 200 OK"*"Connection: close"* ]]
    check "$t1 - $t0 < 0.4"
    run raw 'GET /slow?bytes=3 HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n'
    t2=$(now)
    [[ $output == "HTTP/1.0 200 OK"*"Connection: keep-alive"*"Content-Length: 3"* ]]
    check "$t2 - $t1 >= 0.5"                 # kept, until idle
}

@test "pipelined requests are answered in order, a slow first one holding back the rest" {
    start_server
    t0=$(now)
    run raw "$(req11 '/slow?delay=0.3&bytes=3')$(req11 '/slow?bytes=4')$(req11 '/slow?bytes=2' 'Connection: close')"
    t1=$(now)
    [ "$status" -eq 0 ]
    [ "$(grep -o 'HTTP/1.1 200 OK' <<<"$output" | wc -l)" -eq 3 ]
    [[ $output == *$'\r\n\r\n000HTTP/1.1'*$'\r\n\r\n0000HTTP/1.1'*"Connection: close"*$'\r\n\r\n00' ]]
    check "$t1 - $t0 >= 0.3 && $t1 - $t0 < 2"
}

@test "--max-requests N: the Nth answer says Connection: close, and the rest go unanswered" {
    start_server --max-requests 2
    run raw "$(req11 '/slow?bytes=1')$(req11 '/slow?bytes=1')$(req11 '/slow?bytes=1')"
    [ "$status" -eq 0 ]
    [ "$(grep -o 'HTTP/1.1 200 OK' <<<"$output" | wc -l)" -eq 2 ]
    [ "$(grep -c '^Connection: keep-alive' <<<"$output")" -eq 1 ]
    [ "$(grep -c '^Connection: close' <<<"$output")" -eq 1 ]
}

@test "faults and bodies without a length close the connection" {
    start_server
    for path in /truncate?bytes=10 /nolength?bytes=5 /garbage /statusonly; do
        run raw "$(req11 "$path")$(req11 '/slow?bytes=1')"
        [ "$status" -eq 0 ]                  # closed: no 10 s wait
        [ "$(grep -c 'HTTP/1' <<<"$output")" -le 1 ]
    done
}

@test "&chunked=1: the body in chunks (HTTP/1.1 only), the same bytes" {
    start_server
    run raw "$(req11 '/slow?bytes=10&chunked=1&chunk=4' 'Connection: close')"
    [[ $output == *"Transfer-Encoding: chunked"$'\r\n\r\n'"4"$'\r\n'"0000"$'\r\n'"4"$'\r\n'"000 "$'\r\n'"2"$'\r\n'"wa"$'\r\n'"0"$'\r\n\r' ]]   # run drops the last \n
    [[ $output != *Content-Length* ]]
    run get "/slow?bytes=10&chunked=1"       # HTTP/1.0: no chunks
    [[ $output == *"Content-Length: 10"* && $output != *chunked* ]]
    if command -v curl >/dev/null; then
        [ "$(curl -s "$SLOW/slow?bytes=100000&chunked=1" | md5sum)" = "$(curl -s "$SLOW/slow?bytes=100000" | md5sum)" ]
    fi
}

@test "&stale=1: answered, then the next request on that connection is closed unanswered" {
    start_server
    run raw "$(req11 '/slow?bytes=3&stale=1')$(req11 '/slow?bytes=4')"
    [ "$status" -eq 0 ]
    [ "$(grep -o 'HTTP/1.1 200 OK' <<<"$output" | wc -l)" -eq 1 ]
    [[ $output == *"Connection: keep-alive"* ]]
}

@test "curl reuses the connection (curl -v URL URL: 'Re-using existing connection')" {
    command -v curl >/dev/null || skip "curl is not installed"
    start_server
    run curl -sv "$SLOW/slow?bytes=10" "$SLOW/slow?bytes=10&chunked=1" "$SLOW/status/404"
    [ "$status" -eq 0 ]
    [ "$(grep -c 'Re-using existing connection' <<<"$output")" -eq 2 ]
    [ "$(grep -c 'Connected to' <<<"$output")" -eq 1 ]
}

@test "python's http.client reuses the connection, chunked bodies included" {
    [ -x /usr/bin/python3 ] || skip "/usr/bin/python3 is not installed"
    start_server
    run timeout 20 /usr/bin/python3 -c '
import http.client, sys
c = http.client.HTTPConnection(sys.argv[1], int(sys.argv[2]))
ports = set()
for q in ["/slow?bytes=100", "/slow?bytes=10000&chunked=1", "/status/404",
          "/slow?bytes=5000&chunked=1&chunk=1000&every=0.01", "/slow?delay=0.1&bytes=1"]:
    c.request("GET", q)
    r = c.getresponse()
    print(r.status, len(r.read()), r.getheader("Transfer-Encoding"))
    ports.add(c.sock.getsockname()[1])
print("connections:", len(ports))' 127.0.0.1 "${SLOW##*:}"
    [ "$status" -eq 0 ]
    [ "$output" = "200 100 None
200 10000 chunked
404 20 None
200 5000 chunked
200 1 None
connections: 1" ]
}

@test "wrk keeps its connections: every request answered, no socket errors" {
    command -v wrk >/dev/null || skip "wrk is not installed"
    start_server
    run wrk -t 1 -c 4 -d 1s "$SLOW/slow?bytes=100"
    [ "$status" -eq 0 ]
    [[ $output == *"requests in"* ]]
    [[ $output != *"Socket errors"* && $output != *"Non-2xx"* ]]
}
