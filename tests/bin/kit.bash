# kit.bash: what exercise checks share, beside tests/helpers.bash.
#   load ../../../tests/bin/kit

# no_leak PROGRAM ARGS...: runs PROGRAM under valgrind, which must find no
# memory error and no leak (output in $output). Skips when valgrind is not
# installed, and for a sanitizer build, which checks the same at exit.
no_leak() {
    command -v valgrind >/dev/null || skip "valgrind is not installed (apt-get install valgrind): the leak check is skipped"
    if grep -qa -e __asan_init -e __tsan_init "$1"; then
        skip "a sanitizer build: ASan has checked for leaks in the other tests"
    fi
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
