#!/usr/bin/env bats
# The contract of the one-thread fetchers (chapters 06, 07, 08 and 10):
# every page at once on one loop, partial reads and writes, a timeout per
# fetch, every kind of failure on its URL's line while the good pages are
# fetched meanwhile. The chapters' own tests keep what is their chapter's
# (FD_SETSIZE and ERANGE, strace, --trace, deferreds, coroutine stacks);
# tests/matrix.bats checks the rest of the command line for every fetcher.
# Each test runs every fetcher in turn and names the one that failed.

load helpers

FETCHERS="06-select 07-reactor 08-deferreds 10-coroutines"

teardown() { stop_servers; }

# urls N URL: prints URL N times, one a line (for "fetch -").
urls() { for ((i = 0; i < $1; i++)); do echo "$2"; done; }

@test "four delayed pages overlap: the total is near the slowest, not the sum" {
    start_server
    for c in $FETCHERS; do
        echo "fetcher: $c"
        run "$TOP/chapters/$c/fetch" --timeline "$SLOW/slow?delay=0.2" "$SLOW/slow?delay=0.3" \
                                                "$SLOW/slow?delay=0.4" "$SLOW/slow?delay=0.5"
        [ "$status" -eq 0 ]
        [[ $output == *": 4 fetched, 0 failed, 4096 bytes in "* ]]
        check "$(summary_seconds) >= 0.5 && $(summary_seconds) < 0.75 * 1.4"
        for i in 1 2 3 4; do
            [[ $(result_line $i) == *" 200 "*"1024"* ]]
            check "$(result_line $i | awk '{print $4}') < 0.1"   # all started at once
        done
    done
}

@test "200 pages of 1 s take well under 1.5 s on one thread" {
    start_server
    for c in $FETCHERS; do
        echo "fetcher: $c"
        run bash -c "$(declare -f urls); urls 200 '$SLOW/slow?delay=1' | '$TOP/chapters/$c/fetch' -"
        [ "$status" -eq 0 ]
        [[ $output == *": 200 fetched, 0 failed, 204800 bytes in "* ]]
        check "$(summary_seconds) < 1.5"
    done
}

@test "a trickled body arrives whole, byte-identical to curl's" {
    command -v curl >/dev/null || skip "curl is not installed"
    start_server
    url="$SLOW/slow?bytes=5000&chunk=500&every=0.05"
    curl -sS -o "$BATS_TEST_TMPDIR/trickle" "$url"
    curl -sS -o "$BATS_TEST_TMPDIR/big" "$SLOW/slow?bytes=70000"
    for c in $FETCHERS; do
        echo "fetcher: $c"
        saved="$BATS_TEST_TMPDIR/saved-$c"
        run "$TOP/chapters/$c/fetch" --save "$saved" "$url" "$url" "$SLOW/slow?bytes=70000"
        [ "$status" -eq 0 ]
        cmp "$saved/1" "$BATS_TEST_TMPDIR/trickle"
        cmp "$saved/2" "$BATS_TEST_TMPDIR/trickle"
        cmp "$saved/3" "$BATS_TEST_TMPDIR/big"
        # Trickled over ~0.45 s, and the two trickles overlapped.
        check "$(summary_seconds) >= 0.4 && $(summary_seconds) < 0.8"
    done
}

@test "a 1 MiB body arrives whole through many partial reads" {
    start_server
    for c in $FETCHERS; do
        echo "fetcher: $c"
        run "$TOP/chapters/$c/fetch" --save "$BATS_TEST_TMPDIR/big-$c" "$SLOW/slow?bytes=1048576"
        [ "$status" -eq 0 ]
        [ "$(wc -c < "$BATS_TEST_TMPDIR/big-$c/1")" -eq 1048576 ]
        [ "$(tail -c 64 "$BATS_TEST_TMPDIR/big-$c/1" | cut -c1-7)" = "0016383" ]
    done
}

@test "every kind of failure is its URL's line; the good pages are fetched meanwhile" {
    start_server
    for c in $FETCHERS; do
        echo "fetcher: $c"
        run --separate-stderr "$TOP/chapters/$c/fetch" --timeout 0.5 "$SLOW/slow?delay=0.3" \
            "http://127.0.0.1:1/" "$SLOW/hang" "$SLOW/truncate?bytes=1000" "$SLOW/reset" \
            "$SLOW/garbage" "htp://nope" "$SLOW/status/404" "$SLOW/slow?delay=0.2&bytes=7"
        [ "$status" -eq 1 ]
        [[ $(result_line 1) == *" 200 "*"1024"* ]]
        [[ $(result_line 2) == *"error"*"(connect 127.0.0.1:1: Connection refused)" ]]
        [[ $(result_line 3) == *"error"*"(timed out after 0.50 s)" ]]
        [[ $(result_line 4) == *"error"*"(truncated: got 500 of 1000 bytes)" ]]
        [[ $(result_line 5) == *"error"*"(read: Connection reset by peer)" ]]
        [[ $(result_line 6) == *"error"*"(not an HTTP response)" ]]
        [[ $(result_line 7) == *"error"*"(scheme must be http://, not 'htp')" ]]
        [[ $(result_line 8) == *" 404 "* ]]
        [[ $(result_line 9) == *" 200 "*" 7 "* ]]
        [[ $output == *": 3 fetched, 6 failed, 1051 bytes in "* ]]
        [[ $stderr == *": $SLOW/hang: timed out after 0.50 s"* ]]
        [[ $stderr == *": http://127.0.0.1:1/: connect 127.0.0.1:1: Connection refused"* ]]
        # The hang cost 0.5 s once, in parallel with the rest: not added to them.
        end3=$(result_line 3 | awk '{print $5}')
        check "$end3 >= 0.5 && $end3 < 0.9 && $(summary_seconds) < 0.9"
    done
}

@test "the timeout is per fetch: a trickle that outlasts it is cut off" {
    start_server
    for c in $FETCHERS; do
        echo "fetcher: $c"
        run "$TOP/chapters/$c/fetch" --timeout 0.5 "$SLOW/slow?bytes=1000&chunk=10&every=0.1" \
                                                   "$SLOW/slow?delay=0.1"
        [ "$status" -eq 1 ]
        [[ $(result_line 1) == *"(timed out after 0.50 s)" ]]
        [[ $(result_line 2) == *" 200 "* ]]
    done
}

@test "URLs from stdin; usage errors exit 2; --help names the chapter" {
    start_server
    for c in $FETCHERS; do
        echo "fetcher: $c"
        fetch="$TOP/chapters/$c/fetch"
        run bash -c "printf '%s\n' '$SLOW/slow?bytes=1' '' '$SLOW/slow?bytes=2' | '$fetch' -"
        [ "$status" -eq 0 ]
        [[ $output == *": 2 fetched, 0 failed, 3 bytes"* ]]
        run "$fetch"
        [ "$status" -eq 2 ]
        run "$fetch" --timeout 0 http://x/
        [ "$status" -eq 2 ]
        [[ $output == *"--timeout must be"* ]]
        run "$fetch" --help
        [ "$status" -eq 0 ]
        [[ $output == *"(chapter ${c%%-*})"* ]]
    done
}
