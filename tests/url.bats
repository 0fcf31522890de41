#!/usr/bin/env bats
# url_parse through tests/drivers/urlcheck: what it accepts, and the exact
# message of every rejection.

TOP="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
URLCHECK="$TOP/tests/drivers/urlcheck"

# good URL EXPECTED: urlcheck accepts URL and prints EXPECTED.
good() {
    run "$URLCHECK" "$1"
    [ "$status" -eq 0 ] || { echo "rejected: $output"; return 1; }
    [ "$output" = "$2" ] || { echo "got: $output"; return 1; }
}

# bad URL MESSAGE: urlcheck rejects URL with exactly MESSAGE.
bad() {
    run "$URLCHECK" "$1"
    [ "$status" -eq 1 ] || { echo "accepted: $output"; return 1; }
    [ "$output" = "error: $2" ] || { echo "got: $output"; return 1; }
}

# repeat N CHAR: CHAR N times.
repeat() { printf "%${1}s" "" | tr ' ' "$2"; }

@test "host only: port 80, path /" {
    good "http://h" "host=h port=80 path=/"
}

@test "host, port, path and query" {
    good "http://h:8080/p?q=1" "host=h port=8080 path=/p?q=1"
}

@test "a dotted host and a deep path" {
    good "http://127.0.0.1:8000/slow?delay=1&bytes=2" "host=127.0.0.1 port=8000 path=/slow?delay=1&bytes=2"
    good "http://www.example-site.org/a/b/" "host=www.example-site.org port=80 path=/a/b/"
}

@test "the scheme is case-insensitive; the host is kept as written" {
    good "HTTP://H" "host=H port=80 path=/"
    good "hTtP://Host.Example/" "host=Host.Example port=80 path=/"
}

@test "a query right after the host gets the path /" {
    good "http://h?x=1" "host=h port=80 path=/?x=1"
    good "http://h:81?x=1" "host=h port=81 path=/?x=1"
}

@test "ports 1 and 65535 are the limits" {
    good "http://h:1/" "host=h port=1 path=/"
    good "http://h:65535/" "host=h port=65535 path=/"
}

@test "a 255-character host and a 2048-character path are accepted" {
    host=$(repeat 255 a)
    path=/$(repeat 2047 p)
    good "http://$host$path" "host=$host port=80 path=$path"
}

@test "empty string" {
    bad "" "empty URL"
}

@test "a misspelt scheme" {
    bad "htp://x" "scheme must be http://, not 'htp'"
    bad "ftp://x/" "scheme must be http://, not 'ftp'"
}

@test "https" {
    bad "https://x" "https is not supported"
}

@test "no scheme at all" {
    bad "example.com/x" "scheme must be http:// (the URL has none)"
}

@test "no host" {
    bad "http://" "no host"
    bad "http:///path" "no host"
    bad "http://:80/" "no host"
}

@test "port out of range" {
    bad "http://h:99999/" "port 99999 is out of range 1-65535"
    bad "http://h:65536/" "port 65536 is out of range 1-65535"
    bad "http://h:0/" "port 0 is out of range 1-65535"
    bad "http://h:123456789012345678901234567890/" "port 123456789012345678901234567890 is out of range 1-65535"
}

@test "empty port" {
    bad "http://h:/" "empty port after ':'"
    bad "http://h:" "empty port after ':'"
}

@test "a port that is not a number" {
    bad "http://h:12a/" "port '12a' is not a number"
    bad "http://h:-1/" "port '-1' is not a number"
    bad "http://h:80:81/" "port '80:81' is not a number"
}

@test "spaces and control characters" {
    bad "http://h/a b" "space at position 11"
    bad " http://h/" "space at position 1"
    bad $'http://h/\t' "control character 0x09 at position 10"
    bad $'http://h/\x7f' "control character 0x7f at position 10"
}

@test "a host over 255 characters" {
    bad "http://$(repeat 256 a)/" "host is longer than 255 characters"
}

@test "a path over 2048 characters" {
    bad "http://h/$(repeat 2048 p)" "path is longer than 2048 characters"
    bad "http://h?$(repeat 2047 q)" "path is longer than 2048 characters"
}

@test "user info" {
    bad "http://u@h/" "user names ('user@host') are not supported"
    bad "http://u:pw@h:80/" "user names ('user@host') are not supported"
}

@test "fragments" {
    bad "http://h/#f" "fragments ('#') are not supported"
    bad "http://h#" "fragments ('#') are not supported"
}

@test "characters a host name cannot have" {
    bad "http://h_x/" "character '_' is not allowed in a host name"
    bad "http://a[b/" "a '[' may only enclose a whole IPv6 address: http://[::1]:8000/"
    bad "http://ab]/" "a ']' may only enclose a whole IPv6 address: http://[::1]:8000/"
    bad $'http://h\xc3\xa9/' "byte 0xc3 is not allowed in a host name"
}

@test "empty labels in the host" {
    bad "http://a..b/" "host has an empty label (a '.' at an end or '..')"
    bad "http://.a/" "host has an empty label (a '.' at an end or '..')"
    bad "http://a./" "host has an empty label (a '.' at an end or '..')"
}

@test "IPv6 literals: in brackets, which the host drops (connect wants it bare)" {
    good "http://[::1]:8000/p" "host=::1 port=8000 path=/p"
    good "http://[::1]" "host=::1 port=80 path=/"
    good "http://[::1]?x=1" "host=::1 port=80 path=/?x=1"
    good "http://[2001:db8::a:b]:65535/" "host=2001:db8::a:b port=65535 path=/"
    good "http://[::ffff:127.0.0.1]:81/" "host=::ffff:127.0.0.1 port=81 path=/"
}

@test "IPv6 literals: bad brackets and bad addresses" {
    bad "http://[::1/" "IPv6 address without its closing ']'"
    bad "http://[::1:80/" "IPv6 address without its closing ']'"
    bad "http://[]/" "empty IPv6 address '[]'"
    bad "http://[::1]x/" "'x' after the IPv6 address: only ':port' may follow ']'"
    bad "http://[::1]]/" "']' after the IPv6 address: only ':port' may follow ']'"
    bad "http://[::1]:/" "empty port after ':'"
    bad "http://[::1]:0/" "port 0 is out of range 1-65535"
    bad "http://[::g]/" "'::g' is not an IPv6 address"
    bad "http://[127.0.0.1]/" "'127.0.0.1' is not an IPv6 address"
    bad "http://[[::1]]/" "'[::1' is not an IPv6 address"
    bad "http://[fe80::1%25eth0]/" "IPv6 zone ids ('%') are not supported"
    bad "http://::1/" "an IPv6 address must be in brackets: http://[::1]:8000/"
    bad "http://::1:8000/" "an IPv6 address must be in brackets: http://[::1]:8000/"
}
