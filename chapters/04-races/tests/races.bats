#!/usr/bin/env bats
# Chapter 04: the racy demos really go wrong, their fixes are always exact,
# the deadlock is diagnosed within 2 s, and ThreadSanitizer names the races
# (it reports the racy versions and stays silent on the fixed ones).

load ../../../tests/helpers

CH="$TOP/chapters/04-races"
FLAVOR=$(cat "$TOP/.flavor" 2>/dev/null || echo normal)

# A TSan build of each demo, made once for this file whatever FLAVOR the
# chapter was built with, so that `make test` checks TSan's verdict too.
setup_file() {
    local dir="$BATS_FILE_TMPDIR/tsan" p
    mkdir -p "$dir"
    # Skip only when TSan itself is missing; a demo that does not build
    # with it is a failure, not a skip.
    if ! printf 'int main(void) { return 0; }\n' |
            ${CC:-cc} -fsanitize=thread -x c - -o "$dir/probe" 2>>"$dir/build.log"; then
        echo "this compiler cannot build with -fsanitize=thread" >"$dir/skip"
        return 0
    fi
    for p in counter table deadlock; do
        if ! ${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O1 -g \
                -fsanitize=thread -I"$TOP/common" -o "$dir/$p" "$CH/$p.c" "$CH/args.c" "$CH/threads.c" \
                "$TOP/common/timeline.c" -lpthread -lm 2>>"$dir/build.log"; then
            echo "the TSan copy of $p.c does not build:" >&2
            cat "$dir/build.log" >&2
            return 1
        fi
    done
    if ! TSAN_OPTIONS= "$dir/counter" --fix mutex --threads 1 --increments 1 >/dev/null 2>&1; then
        echo "programs built with -fsanitize=thread do not run on this machine" >"$dir/skip"
    fi
}

# tsan PROGRAM ARGS...: runs the TSan copy; exit status 88 when TSan reported.
tsan() {
    local dir="$BATS_FILE_TMPDIR/tsan"
    [ ! -f "$dir/skip" ] || skip "$(cat "$dir/skip")"
    run env TSAN_OPTIONS=exitcode=88 "$dir/$1" "${@:2}"
}

# The behaviour tests run the chapter's own build. Under FLAVOR=tsan, TSan
# would turn the racy runs' exit status into 88: there it stays quiet, and
# the runs are made shorter (TSan slows each access down ~50 times).
quiet() { TSAN_OPTIONS=report_bugs=0 "$@"; }
if [ "$FLAVOR" = tsan ]; then INCREMENTS=300000; else INCREMENTS=10000000; fi

@test "counter: without a fix, updates are lost (in at least one of 5 runs)" {
    for i in 1 2 3 4 5; do
        run quiet "$CH/counter" --increments "$INCREMENTS"
        [ "$status" -eq 1 ] && break
        [ "$status" -eq 0 ]
        [[ ${lines[1]} == "expected $((4 * INCREMENTS)), got $((4 * INCREMENTS)): exact, in "* ]]
    done
    [ "$status" -eq 1 ]
    [[ ${lines[0]} == "counter: 4 threads x $INCREMENTS increments, --fix none" ]]
    [[ ${lines[1]} =~ ^expected\ $((4 * INCREMENTS)),\ got\ [0-9]+:\ [0-9]+\ updates\ lost ]]
}

@test "counter: --fix mutex and --fix atomic are exact, 20 runs each" {
    for fix in mutex atomic; do
        for i in $(seq 20); do
            run "$CH/counter" --fix "$fix" --threads 4 --increments 50000
            [ "$status" -eq 0 ]
            [[ ${lines[1]} == "expected 200000, got 200000: exact, in "* ]]
        done
    done
}

@test "table: without a lock, results are lost and the count is wrong" {
    for i in 1 2 3 4 5; do
        run quiet "$CH/table" --stores 100000
        [ "$status" -eq 1 ] && break
        [ "$status" -eq 0 ]
    done
    [ "$status" -eq 1 ]
    [[ ${lines[1]} =~ ^stored\ 400000\ results\;\ the\ table\ counts\ [0-9]+\ rows$ ]]
    [[ ${lines[1]} != *"counts 400000 rows" ]]
    [[ ${lines[2]} =~ ^lost:\ [1-9][0-9]*\ results\ are\ not\ in\ the\ table\;\ torn:\ [0-9]+ ]]
}

@test "table: --fix lock keeps every result, once, whole: 20 runs" {
    for i in $(seq 20); do
        run "$CH/table" --fix lock --stores 20000
        [ "$status" -eq 0 ]
        [ "${lines[1]}" = "stored 80000 results; the table counts 80000 rows" ]
        [ "${lines[2]}" = "every result is in the table, once, whole" ]
    done
}

@test "deadlock: the watchdog names the cycle and exits 1 within 2 s" {
    start=$(now)
    run quiet "$CH/deadlock"
    check "$(now) - $start < 2"
    [ "$status" -eq 1 ]
    [[ $output == *"watchdog: no round finished for 0.5"* ]]
    [[ $output == *"  thread 1 (takes A then B): holds A, waits for B"* ]]
    [[ $output == *"  thread 2 (takes B then A): holds B, waits for A"* ]]
    [[ $output == *"thread 1 waits for thread 2, which waits for thread 1: a deadlock"* ]]
}

@test "deadlock: --fix ordering never stalls: 10 runs" {
    for i in $(seq 10); do
        run "$CH/deadlock" --fix ordering --rounds 20
        [ "$status" -eq 0 ]
        [ "${lines[2]}" = "  thread 2 takes A then B" ]
        [[ ${lines[3]} == "40 rounds in "*" s, never stalled" ]]
        [[ $output != *watchdog* ]]
    done
}

@test "TSan reports the racy counter and the racy table" {
    tsan counter --increments 20000
    [ "$status" -eq 88 ]
    [[ $output == *"WARNING: ThreadSanitizer: data race"* ]]
    [[ $output == *"SUMMARY: ThreadSanitizer: data race "*"counter.c:"*" in add_racy"* ]]
    tsan table --stores 5000
    [ "$status" -eq 88 ]
    [[ $output == *"SUMMARY: ThreadSanitizer: data race "*"table.c:"*" in table_store"* ]]
}

@test "TSan is silent on every fixed version" {
    for args in "counter --fix mutex --increments 20000" "counter --fix atomic --increments 20000" \
                "table --fix lock --stores 5000" "deadlock --fix ordering --rounds 20"; do
        tsan $args
        [ "$status" -eq 0 ]
        [[ $output != *ThreadSanitizer* ]]
    done
}

@test "usage errors exit 2 and say what is wrong; --help exits 0" {
    for p in counter table deadlock; do
        run "$CH/$p" --help
        [ "$status" -eq 0 ]
        [[ $output == *"--fix"* ]]
        run --separate-stderr "$CH/$p" --bogus
        [ "$status" -eq 2 ]
        [[ $stderr == *"unknown option '--bogus'"* ]]
        [[ $stderr == *"Try '$p --help'."* ]]
        run --separate-stderr "$CH/$p" --fix
        [ "$status" -eq 2 ]
        [[ $stderr == *"option '--fix' needs a value"* ]]
    done
    run --separate-stderr "$CH/counter" --fix sometimes
    [ "$status" -eq 2 ]
    [[ $stderr == *"--fix: no such choice 'sometimes'"* ]]
    run --separate-stderr "$CH/counter" --threads 0
    [ "$status" -eq 2 ]
    [[ $stderr == *"--threads must be a number from 1 to 64, not '0'"* ]]
    run --separate-stderr "$CH/table" --stores 12x
    [ "$status" -eq 2 ]
    run -2 --separate-stderr "$CH/counter" --threads=2 stray
    [ "${stderr_lines[0]}" = "counter: unexpected argument 'stray'" ]
    run -0 "$CH/counter" --threads=2 --increments=10 --fix=mutex   # race-free: make tsan runs it too
}
