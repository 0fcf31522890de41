# kit.bash: what exercise checks share, beside tests/helpers.bash.
#   load ../../../tests/bin/kit
# tests/bin/run-exercises builds the exercise with the sanitizers and reads
# their reports (and the fds left open) itself; what a test adds here:
# the status of each `run`, for the checker to show beside the failing line.

# run: bats' own run, then (under the checker) the command and its status
# in $KIT_REPORT_DIR/runs/TEST_NUMBER, which run-exercises shows on failure.
eval "kit_bats_$(declare -f run)"
run() {
    kit_bats_run "$@"
    local rc=$?
    if [ -n "${KIT_REPORT_DIR:-}" ]; then
        mkdir -p "$KIT_REPORT_DIR/runs"
        local a cmd=""
        for a in "$@"; do
            case $a in --separate-stderr|-[0-9]*|!) continue ;; esac
            [ "$a" = "${PROGRAM:-}" ] && a=PROGRAM
            cmd+="${cmd:+ }$a"
        done
        printf '%s\n%s\n' "$status" "${cmd:0:200}" >"$KIT_REPORT_DIR/runs/$BATS_TEST_NUMBER"
        if [ ! -f "$KIT_REPORT_DIR/runs/reported" ] &&
           grep -qsE 'ERROR: |WARNING: ThreadSanitizer|runtime error|is still open at exit|==[0-9]+== ([0-9,]+ bytes in|Invalid |Conditional jump|Use of uninit|Syscall param|Mismatched|Source and destination|Process terminating)' \
               "$KIT_REPORT_DIR"/{asan,ubsan,tsan,fds,valgrind}.*; then
            echo "$BATS_TEST_NUMBER" >"$KIT_REPORT_DIR/runs/reported"
        fi
    fi
    return "$rc"
}

# no_leak PROGRAM ARGS...: runs PROGRAM, which must end with no memory error
# and no leak (output in $output). A sanitizer build (the checker's) reports
# them itself at exit; any other build is run under valgrind, and the test
# is skipped, saying so, when valgrind is not installed.
no_leak() {
    if grep -qa -e __asan_init -e __tsan_init "$1"; then
        run "$@"
        if [ "$status" -eq 86 ]; then
            echo "AddressSanitizer found a memory error or a leak: its report is in the output"
            return 1
        fi
        return 0
    fi
    command -v valgrind >/dev/null || skip "valgrind is not installed (apt-get install valgrind): the leak check is skipped"
    run valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
        --show-leak-kinds=definite,indirect --error-exitcode=99 "$@"
    if [ "$status" -eq 99 ]; then
        echo "valgrind found a memory error or a leak: its report is in the output"
        return 1
    fi
}

# run_within SECONDS PROGRAM ARGS...: `run`, with a limit of its own for a
# program that may hang on purpose (the starter's bug); past it, the
# program is stopped and the test says "timed out after SECONDS s".
run_within() {
    local limit=$1
    shift
    run timeout "$limit" "$@"
    if [ "$status" -eq 124 ]; then
        echo "timed out after $limit s"
    fi
}

# on_time LIMIT PROGRAM ARGS...: `run`, up to three times, until the
# program's "worst lateness S s" is below LIMIT: a load spike elsewhere on
# the machine can make one run late, a loop that blocks is late every time.
# $output, $status and $lateness (S) are the last run's.
on_time() {
    local limit=$1 i
    shift
    for i in 1 2 3; do
        run "$@"
        lateness=$(sed -nE 's/.*worst lateness ([0-9.]+) s.*/\1/p' <<<"$output" | tail -n 1)
        [ "$status" -eq 0 ] && [ -n "$lateness" ] &&
            awk -v l="$lateness" -v m="$limit" 'BEGIN { exit !(l < m) }' && return 0
        echo "run $i: worst lateness ${lateness:-unknown}, status $status"
    done
    return 0
}
