# helpers.bash: loaded by every bats file of waitless.
#   load "$TOP/tests/helpers"      (TOP = the repository root)
# Servers are started on port 0 and found through the "listening on" line
# they print once ready: no test sleeps to wait for a server.

bats_require_minimum_version 1.5.0

TOP="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SLOWSERVER="$TOP/common/slowserver"
SERVER_PIDS=()

# start_listening VAR COMMAND...: runs COMMAND in the background, waits for
# its "listening on URL" line and sets VAR to URL. stop_servers ends it.
start_listening() {
    local var=$1 n=${#SERVER_PIDS[@]} line fd
    shift
    local fifo="$BATS_TEST_TMPDIR/listen.$n"
    rm -f "$fifo"   # left by a server this test started and stopped before
    mkfifo "$fifo"
    # 3>&-: bats waits for every holder of its fd 3 before it goes on.
    "$@" >"$fifo" 2>"$BATS_TEST_TMPDIR/server.$n.log" 3>&- &
    SERVER_PIDS+=("$!")
    exec {fd}<"$fifo"
    if ! read -r -t 20 -u "$fd" line || [[ $line != "listening on "* ]]; then
        echo "server did not start: $*" >&2
        cat "$BATS_TEST_TMPDIR/server.$n.log" >&2
        return 1
    fi
    printf -v "$var" '%s' "${line#listening on }"
}

# start_server [slowserver options]: the slow server, its base URL in $SLOW.
start_server() {
    start_listening SLOW "$SLOWSERVER" --port 0 "$@"
}

# stop_servers: for teardown. Sends SIGTERM to every server started by this
# test and fails if one had died already, will not stop, or exits non-zero
# (a crash, or a leak under the sanitizers).
stop_servers() {
    local pid status=0 i
    for pid in "${SERVER_PIDS[@]}"; do
        if ! kill -TERM "$pid" 2>/dev/null; then
            echo "server $pid had died during the test" >&2
            status=1
        fi
        for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
        if kill -0 "$pid" 2>/dev/null; then
            echo "server $pid ignored SIGTERM for 5 s" >&2
            kill -KILL "$pid"
            status=1
        fi
        wait "$pid" || { echo "server $pid exited with status $?" >&2; status=1; }
    done
    SERVER_PIDS=()
    if [ "$status" -ne 0 ]; then
        cat "$BATS_TEST_TMPDIR"/server.*.log >&2 2>/dev/null
    fi
    return "$status"
}

# summary_seconds: the T of "MODEL: ... in T s" in $output.
summary_seconds() {
    sed -nE 's/^[a-z0-9()-]+: [0-9]+ fetched, [0-9]+ failed, [0-9]+ bytes in ([0-9.]+) s$/\1/p' <<<"$output" | tail -n 1
}

# Arithmetic on decimals: check "0.5 < 1.2" etc.; fails with the numbers.
# A value the test read from the output and did not find (an empty string,
# a word, "0.5s") is named as such, never as an awk error.
check() {
    local t prev=op words
    read -ra words <<<"$*"   # words, never file names (a * is a product)
    for t in "${words[@]}"; do
        while [[ $t == "("* ]]; do t=${t#"("}; done
        while [[ $t == *")" ]]; do t=${t%")"}; done
        case $t in
            "<"|"<="|">"|">="|"=="|"!="|"&&"|"||"|"+"|"*"|"/"|"-")
                if [ "$prev" = op ] && [ "$t" != - ]; then
                    echo "check could not compare: a number is missing before '$t' in '$*' (the test reads it from the program's output: the line it looks for is missing or not in the expected format)" >&2
                    return 1
                fi
                prev=op ;;
            *)  if ! [[ $t =~ ^-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?$|^-?\.[0-9]+$ ]]; then
                    echo "check could not compare: '$t' is not a number, in '$*' (the test reads it from the program's output: the line it looks for is not in the expected format)" >&2
                    return 1
                fi
                prev=num ;;
        esac
    done
    if [ "$prev" = op ]; then
        echo "check could not compare: a number is missing at the end of '$*' (the test reads it from the program's output: the line it looks for is missing or not in the expected format)" >&2
        return 1
    fi
    if ! awk "BEGIN { exit !($*) }"; then
        echo "check failed: $*" >&2
        return 1
    fi
}

# not COMMAND...: fails, naming COMMAND, when COMMAND succeeds. Write
# `not grep -q x log`, never `! grep -q x log`: set -e ignores a command
# negated with !, so unless it is a test's last line it can never fail it
# (tests/lint.bats checks). COMMAND runs as an if condition, with set -e
# off: a function given here must return its own failures.
not() {
    if "$@"; then
        echo "expected to fail, but it succeeded: $*" >&2
        return 1
    fi
}

# now: seconds since the epoch, with nanoseconds.
now() { date +%s.%N; }

# result_line N: the result line of URL number N in $output.
result_line() {
    grep -aE "^ *$1  " <<<"$output" | head -n 1
}

# LeakSanitizer checks a process at its exit by stopping it with ptrace from
# a task of its own: a child that `pgrep -P` sees, and that a process strace
# traces cannot have. A test that traces a program, or counts its children,
# runs it with ASAN_OPTIONS=$ASAN_NO_LEAKS; the other tests check its leaks.
ASAN_NO_LEAKS=exitcode=86:detect_leaks=0

# need_strace: skips the test when strace is missing or may not trace here.
need_strace() {
    command -v strace >/dev/null || skip "strace is not installed"
    strace -o /dev/null true 2>/dev/null || skip "strace may not trace here (ptrace is not permitted)"
}

# with_failing_select CMD...: runs CMD on the select backend with
# tests/preload/failing-select.c preloaded: select() fails with EIO after
# $SELECT_OK good calls (0), so reactor_run returns -1. (ASan wants to be
# the first library loaded; this one must be, to count.)
with_failing_select() {
    local so="$BATS_TEST_TMPDIR/failing-select.so"
    [ -f "$so" ] || ${CC:-cc} -shared -fPIC -o "$so" "$TOP/tests/preload/failing-select.c" || return 1
    LD_PRELOAD=$so ASAN_OPTIONS=$ASAN_OPTIONS:verify_asan_link_order=0 WAITLESS_BACKEND=select "$@"
}

# start_blackhole VAR [HOST [PORT]]: a loopback address whose SYNs are dropped
# (tests/drivers/blackhole: a full accept queue, never accepted), its base
# URL in VAR: a connect to it waits until its caller gives up.
start_blackhole() {
    local var=$1
    shift
    [ -x "$TOP/tests/drivers/blackhole" ] || skip "tests/drivers/blackhole is not built (make -C tests)"
    start_listening "$var" "$TOP/tests/drivers/blackhole" "$@"
}

# need_ipv6: skips the test, saying why, on a machine without the IPv6
# loopback address ::1 (no IPv6, or disabled on lo).
need_ipv6() {
    if [ -r /proc/net/if_inet6 ]; then
        grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6 \
            || skip "this machine has no ::1 (IPv6 is disabled on its loopback)"
    elif [ -d /proc/self ]; then   # Linux, and no /proc/net/if_inet6
        skip "this machine has no ::1 (its kernel has no IPv6)"
    fi
}

# with_fake_names CMD...: runs CMD with tests/preload/fake-names.c
# preloaded: getaddrinfo answers the names in $WAITLESS_FAKE_NAMES
# ("two.test=127.0.0.3,127.0.0.1 slow.test=127.0.0.1/1 none.test=": the
# addresses in order, a lookup that takes 1 s, a name with no address).
with_fake_names() {
    local so="$BATS_FILE_TMPDIR/fake-names.so"
    [ -f "$so" ] || ${CC:-cc} -shared -fPIC -o "$so" "$TOP/tests/preload/fake-names.c" -ldl || return 1
    LD_PRELOAD=$so ASAN_OPTIONS=$ASAN_OPTIONS:verify_asan_link_order=0 "$@"
}
