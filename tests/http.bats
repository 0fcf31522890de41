#!/usr/bin/env bats
# The HTTP response parser (tests/drivers/httpcheck feeds stdin to it in
# pieces of a given size) and the request-head helpers (tests/drivers/reqcheck).

TOP="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
HTTPCHECK="$TOP/tests/drivers/httpcheck"
REQCHECK="$TOP/tests/drivers/reqcheck"

# response TEXT: writes TEXT (printf %b escapes) to $RESPONSE.
response() {
    RESPONSE="$BATS_TEST_TMPDIR/response"
    printf '%b' "$1" > "$RESPONSE"
}

# parse CHUNK: feeds $RESPONSE in CHUNK-byte pieces (0: one piece); the
# body lands in $BODY.
parse() {
    BODY="$BATS_TEST_TMPDIR/body"
    rm -f "$BODY"
    run "$HTTPCHECK" "$1" "$BODY" < "$RESPONSE"
}

# same_in_every_split: every piece size gives the one-feed result.
same_in_every_split() {
    parse 0
    local whole=$output whole_status=$status chunk
    for chunk in 1 2 3 5 7 16 100 4096; do
        parse "$chunk"
        [ "$status" -eq "$whole_status" ] && [ "$output" = "$whole" ] || {
            echo "in pieces of $chunk: $output (status $status); in one: $whole"
            return 1
        }
    done
}

# filler N: N bytes of header lines (each "X-Fill: ....\r\n", N >= 10).
filler() {
    local n=$1
    while [ "$n" -gt 0 ]; do
        local len=$(( n > 1000 ? 1000 : n ))
        [ $(( n - len )) -gt 0 ] && [ $(( n - len )) -lt 10 ] && len=$(( len - 10 ))
        printf 'X-Fill: %s\r\n' "$(printf "%$(( len - 10 ))s" "" | tr ' ' f)"
        n=$(( n - len ))
    done
}

@test "a normal response with CRLF line ends" {
    response 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello'
    parse 0
    [ "$status" -eq 0 ]
    [ "$output" = "status=200 content-length=5 body=5 sum=4f9f2cab" ]
    [ "$(cat "$BODY")" = "hello" ]
}

@test "bare LF line ends give the same result" {
    response 'HTTP/1.1 200 OK\nContent-Type: text/plain\nContent-Length: 5\n\nhello'
    parse 0
    [ "$status" -eq 0 ]
    [ "$output" = "status=200 content-length=5 body=5 sum=4f9f2cab" ]
    response 'HTTP/1.1 200 OK\r\nContent-Length: 5\n\r\nhello'
    parse 0
    [ "$output" = "status=200 content-length=5 body=5 sum=4f9f2cab" ]
}

@test "byte by byte, or in any pieces, equals one feed" {
    response 'HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello'
    same_in_every_split
    response 'HTTP/1.0 404 Not Found\nServer: x\n\nno length, runs to the end\n'
    same_in_every_split
    { printf 'HTTP/1.0 200 OK\r\nContent-Length: 3000\r\n\r\n'; seq 2000 | head -c 3000; } > "$RESPONSE"
    same_in_every_split
    [ "$status" -eq 0 ]
    cmp "$BODY" <(seq 2000 | head -c 3000)
}

@test "errors are the same in any pieces too" {
    for r in 'SSH-2.0-OpenSSH_9.2 this is not an HTTP response\r\n\r\n' \
             'HTTP/1.0 200 OK\r\nContent-Length: 10\r\n\r\nhello' \
             'HTTP/1.0 200 OK\r\nContent-Length: 1x\r\n\r\n' \
             'HTTP/1.0 200 OK\r\nContent-Len'; do
        response "$r"
        same_in_every_split
        [ "$status" -eq 1 ]
    done
}

@test "bytes after Content-Length are ignored" {
    response 'HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA BYTES'
    parse 1
    [ "$output" = "status=200 content-length=5 body=5 sum=4f9f2cab" ]
    [ "$(cat "$BODY")" = "hello" ]
}

@test "Content-Length: 0 is complete at the end of the head" {
    response 'HTTP/1.0 204 No Content\r\nContent-Length: 0\r\n\r\n'
    parse 0
    [ "$status" -eq 0 ]
    [ "$output" = "status=204 content-length=0 body=0 sum=811c9dc5" ]
}

@test "no Content-Length: the body runs to the end of the stream" {
    response 'HTTP/1.0 200 OK\r\nServer: x\r\n\r\nline one\nline two\n'
    parse 3
    [ "$status" -eq 0 ]
    [ "$output" = "status=200 content-length=-1 body=18 sum=558f297f" ]
    cmp "$BODY" <(printf 'line one\nline two\n')
}

@test "the header name is case-insensitive" {
    response 'HTTP/1.0 200 OK\r\ncOnTeNt-LeNgTh:  3 \r\n\r\nabcdef'
    parse 0
    [ "$output" = "status=200 content-length=3 body=3 sum=1a47e90b" ]
}

@test "a status line and a blank line, no headers, is a response" {
    response 'HTTP/1.0 200 OK\r\n\r\nno headers at all\n'
    parse 1
    [ "$status" -eq 0 ]
    [ "$output" = "status=200 content-length=-1 body=18 sum=13cc9a5c" ]
    cmp "$BODY" <(printf 'no headers at all\n')
    response 'HTTP/1.0 503\r\n\r\n'
    parse 0
    [ "$output" = "status=503 content-length=-1 body=0 sum=811c9dc5" ]
}

@test "truncated: fewer bytes than Content-Length promised" {
    response "HTTP/1.0 200 OK\r\nContent-Length: 1000\r\n\r\n$(printf '%500s' '')"
    parse 64
    [ "$status" -eq 1 ]
    [ "$output" = "error: truncated: got 500 of 1000 bytes" ]
}

@test "garbage is not an HTTP response" {
    for r in 'SSH-2.0-OpenSSH_9.2 this is not an HTTP response\r\n\r\n' \
             'hello' 'HTTP/2 200 OK\r\n\r\n' 'HTTP/1.1 99 Low\r\n\r\n' \
             'HTTP/1.1 600 High\r\n\r\n' 'HTTP/1.1 200OK\r\n\r\n' 'HTTP/1.x 200 OK\r\n\r\n' \
             '\r\n\r\nHTTP/1.0 200 OK\r\n\r\n'; do
        response "$r"
        parse 1
        [ "$status" -eq 1 ]
        [ "$output" = "error: not an HTTP response" ] || { echo "$r: $output"; return 1; }
    done
}

@test "the stream ends early: empty, or inside the head" {
    response ''
    parse 0
    [ "$output" = "error: empty response" ]
    response 'HTTP/1.0 200 OK\r\nContent-Length: 5\r\n'
    parse 0
    [ "$status" -eq 1 ]
    [ "$output" = "error: connection closed before the response head ended" ]
}

@test "a head of 64 KiB is accepted, one byte more is not" {
    { printf 'HTTP/1.0 200 OK\r\n'; filler $(( 65536 - 17 - 2 )); printf '\r\nok'; } > "$BATS_TEST_TMPDIR/head"
    RESPONSE="$BATS_TEST_TMPDIR/head"
    [ "$(head -c -2 "$RESPONSE" | wc -c)" -eq 65536 ]
    parse 0
    [ "$output" = "status=200 content-length=-1 body=2 sum=663437af" ]
    [ "$(cat "$BODY")" = "ok" ]
    { printf 'HTTP/1.0 200 OK\r\n'; filler $(( 65536 - 17 - 1 )); printf '\r\nok'; } > "$RESPONSE"
    same_in_every_split
    [ "$output" = "error: response head over 64 KiB" ]
}

@test "an invalid Content-Length is an error" {
    for v in abc -1 1x '' '1 2' 0x10 99999999999999999999; do
        response "HTTP/1.0 200 OK\r\nContent-Length: $v\r\n\r\nhello"
        parse 0
        [ "$status" -eq 1 ]
        [ "$output" = "error: invalid Content-Length" ] || { echo "$v: $output"; return 1; }
    done
}

@test "two Content-Lengths: equal is fine, different is an error" {
    response 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nab'
    parse 0
    [ "$output" = "status=200 content-length=2 body=2 sum=4d2505ca" ]
    response 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc'
    parse 0
    [ "$output" = "error: conflicting Content-Length headers" ]
}

@test "a Content-Length over 64 MiB, a header line without a colon" {
    response 'HTTP/1.0 200 OK\r\nContent-Length: 67108865\r\n\r\n'
    parse 0
    [ "$output" = "error: Content-Length 67108865 is over the 64 MiB limit" ]
    response 'HTTP/1.0 200 OK\r\nthis is no header\r\n\r\n'
    parse 0
    [ "$output" = "error: header line without ':'" ]
}

# ---- request heads --------------------------------------------------------

@test "a good request: head end, method, path, version" {
    run "$REQCHECK" < <(printf 'GET /slow?delay=1&bytes=2 HTTP/1.0\r\nHost: x\r\n\r\nbody')
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "head_end=47" ]
    [ "${lines[1]}" = "method=GET path=/slow?delay=1&bytes=2 minor=0" ]
    run "$REQCHECK" < <(printf 'POST / HTTP/1.1\n\n')
    [ "$status" -eq 0 ]
    [ "$output" = $'head_end=17\nmethod=POST path=/ minor=1' ]
}

@test "the end of a request head: CRLF CRLF or LF LF, or not there yet" {
    run "$REQCHECK" < <(printf 'GET / HTTP/1.0\r\nHost: x\r\n')
    [ "${lines[0]}" = "head_end=0" ]
    run "$REQCHECK" < <(printf 'GET / HTTP/1.0\nHost: x\n\nmore\n\n')
    [ "${lines[0]}" = "head_end=24" ]
}

@test "garbage requests are rejected with a reason" {
    run "$REQCHECK" < <(printf 'hello there\r\n\r\n')
    [ "$status" -eq 1 ]
    [ "${lines[1]}" = "error: bad request line: no method" ]
    run "$REQCHECK" < <(printf '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n')
    [ "${lines[1]}" = "error: bad request line: no method" ]
    run "$REQCHECK" < <(printf 'GET\r\n\r\n')
    [ "${lines[1]}" = "error: bad request line: no path after the method" ]
    run "$REQCHECK" < <(printf 'GET x HTTP/1.0\r\n\r\n')
    [ "${lines[1]}" = "error: bad request line: the path must start with '/'" ]
    run "$REQCHECK" < <(printf 'GET /%02100d HTTP/1.0\r\n\r\n' 0)
    [ "${lines[1]}" = "error: bad request line: path over 2048 bytes" ]
}

@test "a request line without a version, or with a wrong one" {
    run "$REQCHECK" < <(printf 'GET /\r\n\r\n')
    [ "$status" -eq 1 ]
    [ "${lines[1]}" = "error: bad request line: no HTTP version" ]
    for v in HTTP/2.0 HTTP/1 http/1.0 'HTTP/1.0 extra' HTTP/1.10; do
        run "$REQCHECK" < <(printf 'GET / %s\r\n\r\n' "$v")
        [ "$status" -eq 1 ]
        [ "${lines[1]}" = "error: bad request line: the version must be HTTP/1.x" ] || { echo "$v: $output"; return 1; }
    done
}

@test "query parameters: present, empty, absent, too long" {
    run "$REQCHECK" delay bytes flag empty del missing long \
        < <(printf 'GET /slow?delay=0.5&bytes=100&flag&empty=&long=0123456789abcdef HTTP/1.0\r\n\r\n')
    [ "$status" -eq 0 ]
    [ "${lines[2]}" = "delay=0.5" ]
    [ "${lines[3]}" = "bytes=100" ]
    [ "${lines[4]}" = "flag=" ]
    [ "${lines[5]}" = "empty=" ]
    [ "${lines[6]}" = "del absent" ]
    [ "${lines[7]}" = "missing absent" ]
    [ "${lines[8]}" = "long too long" ]
    run "$REQCHECK" delay < <(printf 'GET /slow HTTP/1.0\r\n\r\n')
    [ "${lines[2]}" = "delay absent" ]
}

# ---- where a response ends on a kept-alive connection (chapter 15) ----

@test "chunked bodies are decoded, in any split; extensions and trailers skipped" {
    response 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5;name=value\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-Trailer: yes\r\n\r\n'
    parse 0
    [ "$status" -eq 0 ]
    [ "$output" = "status=200 content-length=-1 body=23 sum=99476dc5" ]
    [ "$(cat "$BODY")" = "$(printf 'Wikipedia in\r\n\r\nchunks.')" ]
    same_in_every_split
    response 'HTTP/1.1 200 OK\nTransfer-Encoding: Chunked\n\n3\nabc\n0\n\n'   # bare LFs, any case
    parse 0
    [ "$output" = "status=200 content-length=-1 body=3 sum=1a47e90b" ]
}

@test "a response ends at its length or last chunk: the bytes after are the next one's" {
    export HTTPCHECK_FRAMING=1
    response 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 200 OK\r\n'
    same_in_every_split
    [ "${lines[1]}" = "chunked=0 keep-alive=1 used=41 of 58" ]
    response 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nHTTP/1.1'
    same_in_every_split
    [ "${lines[1]}" = "chunked=1 keep-alive=1 used=60 of 68" ]
    response 'HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\nHTTP/1.1'   # no body, ever
    same_in_every_split
    [ "$output" = "status=204 content-length=9 body=0 sum=811c9dc5
chunked=0 keep-alive=1 used=46 of 54" ]
}

@test "keep-alive as RFC 9112 9.3 says: 1.1 unless close, 1.0 only if asked, never to EOF" {
    export HTTPCHECK_FRAMING=1
    local cases=(
        'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n|1'
        'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n|0'
        'HTTP/1.1 200 OK\r\nConnection: Upgrade, CLOSE\r\nContent-Length: 0\r\n\r\n|0'
        'HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n|0'
        'HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n|1'
        'HTTP/1.1 200 OK\r\n\r\nto the end|0'
    )
    for c in "${cases[@]}"; do
        response "${c%|*}"
        parse 0
        [[ ${lines[1]} == "chunked=0 keep-alive=${c##*|} "* ]] || { echo "$c: $output"; return 1; }
    done
}

@test "bad chunked bodies: a bad size, a chunk longer than it said, cut short, both framings" {
    local cases=(
        'zz\r\nabc\r\n0\r\n\r\n|bad chunk size line'
        '\r\nabc|bad chunk size line'
        '3\r\nabcdef\r\n0\r\n\r\n|a chunk longer than its size said'
        '10\r\nabc|truncated: the chunked body ended after 3 bytes'
        '3\r\nabc\r\n|truncated: the chunked body ended after 3 bytes'
        'fffffffffff\r\n|chunk size over the 64 MiB limit'
        '0\r\nX: y\r\nZ|truncated: the chunked body ended after 0 bytes'
    )
    for c in "${cases[@]}"; do
        response "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${c%|*}"
        same_in_every_split
        [ "$status" -eq 1 ] && [ "$output" = "error: ${c##*|}" ] || { echo "$c: $output"; return 1; }
    done
    response 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nabc'
    parse 0
    [ "$output" = "error: both Transfer-Encoding and Content-Length" ]
    response 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nabc'
    parse 0
    [ "$output" = "error: unsupported Transfer-Encoding" ]
}
