#!/usr/bin/env bats
# Chapter 13: measure reports what a command cost (exit status, CPU time,
# peak threads and processes), and compare runs every built fetcher on one
# workload and prints one row per fetcher.

load ../../../tests/helpers

DIR="$TOP/chapters/13-choosing"
MEASURE="$DIR/measure"

teardown() { stop_servers; }

# field KEY: KEY's value in measure's line in $output (or $1 if given).
field() { sed -nE "s/^measure:.* $1=([0-9.]+).*/\\1/p" <<<"${2:-$output}"; }

@test "measure passes the exit status through and counts the processes of the tree" {
    run "$MEASURE" -- bash -c 'sleep 0.3 & sleep 0.3 & wait; exit 3'
    [ "$status" -eq 3 ]
    [[ $output == "measure: wall="*" exit=3" ]]
    [ "$(field peak_processes)" -eq 3 ]   # bash and its two sleeps
    [ "$(field peak_threads)" -eq 3 ]
    check "$(field wall) >= 0.3 && $(field wall) < 1.5"
}

@test "measure counts CPU time (user) that a busy loop burns, not sleep" {
    run "$MEASURE" -- sh -c 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done'
    [ "$status" -eq 0 ]
    check "$(field user) + $(field sys) > 0.05"
    run "$MEASURE" -- sleep 0.3
    check "$(field user) + $(field sys) < 0.05"
    check "$(field peak_rss_kib) > 100"
}

@test "measure sees a server's threads, and passes SIGTERM on to it" {
    [ -x "$TOP/chapters/11-servers/threads" ] || skip "chapter 11 is not built"
    start_listening AGG "$MEASURE" --output "$BATS_TEST_TMPDIR/m" -- \
        "$TOP/chapters/11-servers/threads" --threads 5 --port 0 --backend-url http://127.0.0.1:1
    sleep 0.2                           # a few samples of the five threads
    stop_servers                        # measure must exit 0: so must the server
    line=$(cat "$BATS_TEST_TMPDIR/m")
    extra=0                             # LeakSanitizer's exit check, see below
    [ "$(cat "$TOP/.flavor" 2>/dev/null)" = sanitize ] && extra=1
    threads=$(field peak_threads "$line") procs=$(field peak_processes "$line")
    [ "$threads" -ge 5 ]
    [ "$threads" -le $((5 + extra)) ]
    [ "$procs" -ge 1 ]
    [ "$procs" -le $((1 + extra)) ]
    [[ $line == *" exit=0" ]]
}

@test "measure: --help 0, no command or a bad option 2, a missing program 127" {
    run "$MEASURE" --help
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == "usage: measure "* ]]
    run --separate-stderr "$MEASURE" --
    [ "$status" -eq 2 ]
    [[ $stderr == *"no command given after --"* ]]
    run -127 --separate-stderr "$MEASURE" -- /no/such/program
    [[ $stderr == *"/no/such/program: No such file or directory"* ]]
    run -2 --separate-stderr "$MEASURE" --interval 5 -- true
    [ "${stderr_lines[0]}" = "measure: --interval must be seconds in [0.001, 1], not '5'" ]
    [ "${stderr_lines[1]}" = "Try 'measure --help'." ]
    run -2 --separate-stderr "$MEASURE" --bogus -- true
    [ "${stderr_lines[0]}" = "measure: unknown option '--bogus'" ]
    # the command's own options stay its own
    run -3 --separate-stderr "$MEASURE" --interval=0.01 -- sh -c 'exit 3' --bogus
    [[ $stderr == "measure: wall="*" exit=3" ]]
}

@test "compare: chapter 01 on 4 pages takes their sum, and the row says so" {
    run "$DIR/compare" --urls 4 --min-delay 0.1 --max-delay 0.2 --chapters 01 --peers no
    [ "$status" -eq 0 ]
    [[ $output == *"Workload: 4 URLs, delays spread evenly from 0.1 to 0.2 s, 4096-byte bodies,"* ]]
    row=$(grep '^01-blocking ' <<<"$output")
    read -r _ model fetched wall ratio cpu rss threads procs <<<"$row"
    [ "$model" = blocking ]
    [ "$fetched" = 4/4 ]
    check "${wall%s} >= 0.6 && ${ratio%x} >= 3"     # 0.1 + 0.133 + 0.167 + 0.2
    # Under ASan, LeakSanitizer's check at exit adds a thread and a process
    # for a moment, and the 5 ms sampling may catch them.
    most=1
    [ "$(cat "$TOP/.flavor" 2>/dev/null)" = sanitize ] && most=2
    [ "$threads" -ge 1 ]
    [ "$threads" -le "$most" ]
    [ "$procs" -ge 1 ]
    [ "$procs" -le "$most" ]
}

@test "compare has one row for every fetcher that is built, and nothing else" {
    run "$DIR/compare" --urls 3 --min-delay 0.01 --max-delay 0.05 --peers no
    [ "$status" -eq 0 ]
    [[ $output != *"talks' tools"* ]]
    built=$(ls "$TOP"/chapters/[0-9][0-9]-*/fetch | wc -l)
    rows=$(grep -cE '^[0-9][0-9]-[a-z-]+ .* [0-9]+/3 ' <<<"$output")
    [ "$rows" -eq "$built" ]
    run "$DIR/compare" --bogus 1
    [ "$status" -eq 2 ]
}

# The peers (peers/): the same job in the talks' tools. Each fetches three
# pages (and a failing one) and saves the bodies, which must be byte for
# byte what chapter 01's fetcher saves; a peer whose runtime is missing is
# skipped, saying which.
PYTHON=${PYTHON:-/usr/bin/python3}

# need_python [MODULE]: skip unless $PYTHON (and MODULE) is there.
need_python() {
    [ -x "$PYTHON" ] || skip "$PYTHON is not installed"
    [ -z "${1:-}" ] || "$PYTHON" -c "import $1" 2>/dev/null || skip "$1 is not installed for $PYTHON"
}

# peer_fetches COMMAND...: runs the peer on three pages and a 500, checks
# its summary line, exit status 1 (one failed) and the bodies.
peer_fetches() {
    [ -x "$TOP/chapters/01-blocking/fetch" ] || skip "chapter 01 is not built"
    start_server
    printf '%s\n' "$SLOW/slow?delay=0.2&bytes=100" "$SLOW/slow?delay=0.1&bytes=70000" \
        "$SLOW/slow?delay=0&bytes=0" "$SLOW/status/500" >"$BATS_TEST_TMPDIR/urls"
    mkdir "$BATS_TEST_TMPDIR/peer" "$BATS_TEST_TMPDIR/book"
    head -n 3 "$BATS_TEST_TMPDIR/urls" | "$TOP/chapters/01-blocking/fetch" --save "$BATS_TEST_TMPDIR/book" - >/dev/null
    run --separate-stderr "$@" --save "$BATS_TEST_TMPDIR/peer" <"$BATS_TEST_TMPDIR/urls"
    echo "$output"; echo "$stderr"
    [ "$status" -eq 1 ]
    [[ ${lines[-1]} =~ ^[a-z]+:\ 3\ fetched,\ 1\ failed,\ 70100\ bytes\ in\ ([0-9.]+)\ s$ ]]
    check "${BASH_REMATCH[1]} >= 0.2 && ${BASH_REMATCH[1]} < 0.3 * 4"   # at once, not in turn
    [[ $stderr == *"/status/500: "*"500"* ]]
    for i in 1 2 3; do cmp "$BATS_TEST_TMPDIR/book/$i" "$BATS_TEST_TMPDIR/peer/$i"; done
    [ ! -e "$BATS_TEST_TMPDIR/peer/4" ]
}

@test "peer: Python's ThreadPoolExecutor fetches three pages byte-exact" {
    need_python
    peer_fetches "$PYTHON" "$DIR/peers/threadpool.py" --workers 3
}

@test "peer: the talk's ThreadQueue fetches three pages byte-exact" {
    need_python
    peer_fetches "$PYTHON" "$DIR/peers/threadqueue.py"
}

@test "peer: asyncio streams fetch three pages byte-exact" {
    need_python
    peer_fetches "$PYTHON" "$DIR/peers/asyncio_streams.py"
}

@test "peer: aiohttp fetches three pages byte-exact" {
    need_python aiohttp
    peer_fetches "$PYTHON" "$DIR/peers/aiohttp_fetch.py"
}

@test "peer: Twisted's Agent fetches three pages byte-exact" {
    need_python twisted
    peer_fetches "$PYTHON" "$DIR/peers/twisted_agent.py"
}

@test "peer: gevent fetches three pages byte-exact" {
    need_python gevent
    peer_fetches "$PYTHON" "$DIR/peers/gevent_fetch.py"
}

@test "peer: Go's net/http fetches three pages byte-exact" {
    command -v go >/dev/null || skip "go is not installed (golang-go)"
    go build -o "$BATS_TEST_TMPDIR/goroutines" "$DIR/peers/goroutines.go"
    peer_fetches "$BATS_TEST_TMPDIR/goroutines"
}

@test "peer: Node's fetch fetches three pages byte-exact" {
    command -v node >/dev/null && node -e fetch 2>/dev/null || skip "node 18 or later is not installed"
    peer_fetches node "$DIR/peers/node_fetch.mjs"
}

@test "compare: a peer whose runtime is missing is a row that says so" {
    PYTHON=/no/such/python run "$DIR/compare" --urls 2 --min-delay 0 --max-delay 0.01 --chapters 07
    [ "$status" -eq 0 ]
    [[ $output == *"Python: threads, pool, asyncio"*"not installed (/no/such/python)"* ]]
    [[ $output == *"aiohttp"*"not installed (python3-aiohttp)"* ]]
}
