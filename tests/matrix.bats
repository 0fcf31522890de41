#!/usr/bin/env bats
# The bad-input matrix: every fetcher (chapters/*/fetch, found at run time,
# so a new chapter is checked the moment it is built) gets the same table of
# bad inputs. Each bad URL must give that URL its own error line (or a
# correct result), the other URLs must still complete, and the run must end
# by itself with exit code exactly 0 or 1 and no sanitizer report.
# A failure names the fetcher and the URL. MATRIX_FETCHERS (paths, blank-
# separated) picks the fetchers instead: `make tsan` checks its chapters' only.

load helpers

teardown() { stop_servers; }

# The fetchers that are built, and can run here: a chapter's executable
# `available`, if any, says why not (chapter 14: no io_uring) and is skipped.
fetchers() {
    local f why
    for f in ${MATRIX_FETCHERS:-"$TOP"/chapters/*/fetch}; do
        [ -x "$f" ] || continue
        if [ -x "${f%/*}/available" ]; then
            why=$("${f%/*}/available") || { echo "# skipped ${f#"$TOP"/}: $why" >&3; continue; }
        fi
        echo "$f"
    done
}

# fetch_with F EXIT ARGS...: runs fetcher F on ARGS (30 s at most) and
# checks the exit code is EXIT, nothing crashed, and no sanitizer spoke.
fetch_with() {
    local f=$1 want=$2
    shift 2
    FETCHER=${f#"$TOP"/}
    run --separate-stderr timeout -k 5 30 "$f" "$@"
    if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
        echo "$FETCHER hung: still running after 30 s" >&2
        return 1
    fi
    if grep -qE 'Sanitizer|runtime error:|ThreadSanitizer|Segmentation|Aborted' <<<"$stderr"; then
        printf '%s: a sanitizer or crash report:\n%s\n' "$FETCHER" "$stderr" >&2
        return 1
    fi
    if [ "$status" -ne "$want" ]; then
        printf '%s: exit %s, wanted %s\n%s\n%s\n' "$FETCHER" "$status" "$want" "$output" "$stderr" >&2
        return 1
    fi
}

# expect N REGEX: result line N matches REGEX (a bash regular expression).
expect() {
    local line
    line=$(result_line "$1")
    [[ $line =~ $2 ]] || {
        printf '%s: URL %s: wanted /%s/, got:\n  %s\nfull output:\n%s\n' \
               "$FETCHER" "$1" "$2" "$line" "$output" >&2
        return 1
    }
}

# Each fetcher, in turn; skips the test when none is built.
each_fetcher() {
    mapfile -t FETCHERS < <(fetchers)
    [ ${#FETCHERS[@]} -gt 0 ] || skip "no chapters/*/fetch is built"
}

OK=' 200 +'          # a result line's status column for a good fetch
ERR=' error +[0-9]+ '  # ... and for a failed one

@test "matrix: malformed URLs each get their own error line; the good ones complete" {
    start_server
    each_fetcher
    local long_host long_path
    long_host=$(printf 'h%.0s' $(seq 300))
    long_path=$(printf 'p%.0s' $(seq 3000))
    local -a bad=(
        "notaurl"                 "scheme must be http:// \\(the URL has none\\)"
        ""                        "empty URL"
        "http://"                 "no host"
        "https://example.com/"    "https is not supported"
        "ftp://example.com/"      "scheme must be http://, not 'ftp'"
        "http://h:99999/"         "port 99999 is out of range 1-65535"
        "http://h:80x/"           "port '80x' is not a number"
        "http://h:/"              "empty port after ':'"
        "http://a b/"             "space at position 9"
        $'http://h/\x01'          "control character 0x01 at position 10"
        "http://u@h/"             "user names"
        "http://[::1/"            "IPv6 address without its closing ']'"
        "http://[]/"              "empty IPv6 address '\\[\\]'"
        "http://[::1]x/"          "'x' after the IPv6 address"
        "http://[::g]/"           "'::g' is not an IPv6 address"
        "http://[fe80::1%25lo]/"  "IPv6 zone ids"
        "http://::1:80/"          "an IPv6 address must be in brackets"
        "http://a[b]/"            "may only enclose a whole IPv6 address"
        "http://h/#top"           "fragments"
        "http://a..b/"            "empty label"
        "http://$long_host/"      "host is longer than 255 characters"
        "http://h/$long_path"     "path is longer than 2048 characters"
    )
    local -a urls=("$SLOW/slow?bytes=11")
    for ((i = 0; i < ${#bad[@]}; i += 2)); do urls+=("${bad[i]}"); done
    urls+=("$SLOW/slow?bytes=22")
    local n=${#urls[@]}
    for f in "${FETCHERS[@]}"; do
        fetch_with "$f" 1 "${urls[@]}"
        expect 1 "$OK 11 "
        for ((i = 0; i < ${#bad[@]}; i += 2)); do
            expect $((i / 2 + 2)) "$ERR.*\\(.*${bad[i + 1]}.*\\)\$"
        done
        expect "$n" "$OK 22 "
        [[ $output =~ :\ 2\ fetched,\ $((n - 2))\ failed,\ 33\ bytes ]] || {
            echo "$FETCHER: wrong summary: $output" >&2; return 1; }
    done
}

@test "matrix: unresolvable host and refused port fail alone" {
    start_server
    each_fetcher
    for f in "${FETCHERS[@]}"; do
        fetch_with "$f" 1 "http://nosuch.invalid/" "$SLOW/slow?bytes=5" "http://127.0.0.1:1/"
        expect 1 "$ERR.*\\(.*nosuch\\.invalid.*\\)\$"
        expect 2 "$OK 5 "
        expect 3 "$ERR.*\\(.*Connection refused.*\\)\$"
    done
}

@test "matrix: every fetcher fetches from a server on [::1], byte-exact" {
    need_ipv6
    start_server --host ::1
    each_fetcher
    for f in "${FETCHERS[@]}"; do
        rm -rf "$BATS_TEST_TMPDIR/saved"
        fetch_with "$f" 0 --save "$BATS_TEST_TMPDIR/saved" "$SLOW/slow?bytes=65536" \
                   "http://[::1]:${SLOW##*:}/nolength?bytes=5000" "http://[0:0::1]:${SLOW##*:}/status/404"
        expect 1 "$OK 65536 "
        expect 2 "$OK 5000 "
        expect 3 " 404 +[0-9]+ "
        # The pattern numbers its 64-byte lines: the last must be 1023.
        [ "$(tail -c 64 "$BATS_TEST_TMPDIR/saved/1" | cut -c1-7)" = "0001023" ] || {
            echo "$FETCHER: the 64 KiB body from [::1] ends wrong" >&2; return 1; }
        if [ -n "${REFERENCE:-}" ]; then
            cmp "$REFERENCE" "$BATS_TEST_TMPDIR/saved/1" || {
                echo "$FETCHER: the body from [::1] differs from the first fetcher's" >&2; return 1; }
        else
            REFERENCE=$BATS_TEST_TMPDIR/reference
            cp "$BATS_TEST_TMPDIR/saved/1" "$REFERENCE"
        fi
    done
}

@test "matrix: names: a refused or black-holed first address, no address, every address refused" {
    start_server
    local port=${SLOW##*:}
    start_blackhole HOLE 127.0.0.2 "$port"
    each_fetcher
    # 127.0.0.3 and .4: nothing listens there, so the kernel refuses.
    export WAITLESS_FAKE_NAMES="refused-first.test=127.0.0.3,127.0.0.1 none.test=
        hole-first.test=127.0.0.2,127.0.0.1 all-refused.test=127.0.0.3,127.0.0.4"
    for f in "${FETCHERS[@]}"; do
        with_fake_names fetch_with "$f" 1 --timeout 1 "http://refused-first.test:$port/slow?bytes=5" \
            "http://hole-first.test:$port/slow?bytes=6" "http://none.test:$port/" \
            "http://all-refused.test:$port/" "$SLOW/slow?bytes=7"
        expect 1 "$OK 5 "
        # The blocking fetchers and 06 try the addresses in turn and wait
        # for the hole until --timeout; 14 gives each address 0.25 s, then
        # the next; the dialers (07, 08, 10) race them (Happy Eyeballs): they
        # get the page.
        case $FETCHER in
            chapters/0[1-6]-*) expect 2 "$ERR.*\\(timed out after 1\\.00 s\\)\$" ;;
            *)                 expect 2 "$OK 6 " ;;
        esac
        expect 3 "$ERR.*\\(resolve none\\.test: .*\\)\$"
        expect 4 "$ERR.*\\(connect 127\\.0\\.0\\.3:$port: Connection refused; connect 127\\.0\\.0\\.4:$port: Connection refused\\)\$"
        expect 5 "$OK 7 "
    done
}

@test "matrix: /hang with --timeout 0.5 times out alone, in about 0.5 s" {
    start_server
    each_fetcher
    for f in "${FETCHERS[@]}"; do
        fetch_with "$f" 1 --timeout 0.5 "$SLOW/slow?bytes=5" "$SLOW/hang" "$SLOW/slow?bytes=6"
        expect 1 "$OK 5 "
        expect 2 "$ERR.*\\(.*timed out.*\\)\$"
        expect 3 "$OK 6 "
        check "$(summary_seconds) >= 0.5 && $(summary_seconds) < 3" || {
            echo "$FETCHER: /hang with --timeout 0.5 took $(summary_seconds) s" >&2; return 1; }
    done
}

@test "matrix: broken responses (truncate, reset, garbage, over 64 KiB of headers) fail alone" {
    start_server
    each_fetcher
    for f in "${FETCHERS[@]}"; do
        fetch_with "$f" 1 "$SLOW/truncate?bytes=1000" "$SLOW/reset" "$SLOW/slow?bytes=7" \
                          "$SLOW/garbage" "$SLOW/bigheaders" "$SLOW/status/503"
        expect 1 "$ERR.*\\(.*truncated: got 500 of 1000 bytes.*\\)\$"
        expect 2 "$ERR.*\\(.*(reset by peer|closed).*\\)\$"
        expect 3 "$OK 7 "
        expect 4 "$ERR.*\\(.*not an HTTP response.*\\)\$"
        expect 5 "$ERR.*\\(.*response head over 64 KiB.*\\)\$"
        expect 6 " 503 +[0-9]+ "
    done
}

@test "matrix: a server that closes early, answers twice, or breaks its chunks: each fails alone" {
    start_server
    each_fetcher
    for f in "${FETCHERS[@]}"; do
        rm -rf "$BATS_TEST_TMPDIR/saved"
        fetch_with "$f" 1 --save "$BATS_TEST_TMPDIR/saved" "$SLOW/close" "$SLOW/twice" \
                          "$SLOW/badchunk" "$SLOW/slow?bytes=7" "$SLOW/longchunk" \
                          "$SLOW/slow?bytes=10000&chunked=1"
        expect 1 "$ERR.*\\(.*empty response.*\\)\$"
        expect 2 "$OK 5 "                      # the first answer; the second is nobody's
        expect 3 "$ERR.*\\(.*bad chunk size line.*\\)\$"
        expect 4 "$OK 7 "
        expect 5 "$ERR.*\\(.*a chunk longer than its size said.*\\)\$"
        expect 6 "$OK 10000 "                  # (chunked only for HTTP/1.1: 15's fetcher)
        [ "$(cat "$BATS_TEST_TMPDIR/saved/2")" = "once" ] || {
            echo "$FETCHER: /twice: the body is not the first answer's" >&2; return 1; }
    done
}

@test "matrix: no headers, no Content-Length and a 10 MiB body are all fetched right" {
    start_server
    each_fetcher
    for f in "${FETCHERS[@]}"; do
        rm -rf "$BATS_TEST_TMPDIR/saved"
        fetch_with "$f" 0 --save "$BATS_TEST_TMPDIR/saved" "$SLOW/statusonly" \
                   "$SLOW/nolength?bytes=5000" "$SLOW/slow?bytes=10485760"
        expect 1 "$OK 18 "
        expect 2 "$OK 5000 "
        expect 3 "$OK 10485760 "
        [ "$(cat "$BATS_TEST_TMPDIR/saved/1")" = "no headers at all" ]
        [ "$(wc -c < "$BATS_TEST_TMPDIR/saved/3")" -eq 10485760 ] || {
            echo "$FETCHER: saved 10 MiB body has the wrong size" >&2; return 1; }
        # The pattern numbers its 64-byte lines: the last must be 163839.
        [ "$(tail -c 64 "$BATS_TEST_TMPDIR/saved/3" | cut -c1-7)" = "0163839" ] || {
            echo "$FETCHER: the 10 MiB body does not end with line 0163839" >&2; return 1; }
    done
}

@test "matrix: 100 URLs at once, and junk lines on standard input" {
    start_server
    each_fetcher
    local urls=()
    for i in $(seq 100); do urls+=("$SLOW/slow?bytes=$i"); done
    for f in "${FETCHERS[@]}"; do
        fetch_with "$f" 0 "${urls[@]}"
        [[ $output =~ :\ 100\ fetched,\ 0\ failed,\ 5050\ bytes ]] || {
            echo "$FETCHER: 100 URLs: $output" >&2; return 1; }
        fetch_with "$f" 1 - < <(printf '%s\n' "$SLOW/slow?bytes=3" 'junk' $'\x01\x02\xff' '# comment' '' "$SLOW/slow?bytes=4")
        expect 1 "$OK 3 "
        expect 2 "$ERR"
        expect 3 "$ERR"
        expect 4 "$OK 4 "
    done
}

@test "matrix: usage errors exit 2, --help exits 0, for every fetcher" {
    each_fetcher
    for f in "${FETCHERS[@]}"; do
        fetch_with "$f" 0 --help
        for args in "" "--timeout 0 http://x/" "--timeout abc http://x/" "--timeout" \
                    "--bogus http://x/" "--timeline=3 http://x/" "- -"; do
            # shellcheck disable=SC2086
            fetch_with "$f" 2 $args </dev/null
            [ -z "$output" ] && [ -n "$stderr" ] || {
                echo "$FETCHER $args: a usage error must print to stderr only" >&2; return 1; }
        done
    done
}
