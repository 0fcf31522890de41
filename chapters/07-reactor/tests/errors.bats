#!/usr/bin/env bats
# Chapter 07: when the loop itself fails (reactor_run returns -1), every
# fetch not finished fails with it, and nothing counts as fetched. A real
# failure (EBADF: a watched fd closed) cannot be caused from outside, so a
# preloaded select() fails on purpose.

load ../../../tests/helpers

FETCH="$TOP/chapters/07-reactor/fetch"

teardown() { stop_servers; }

# failing_select: builds into $FAILING_SELECT a select() to preload that
# fails with EIO (reactor_run then returns -1) after $SELECT_OK good calls.
failing_select() {
    FAILING_SELECT="$BATS_TEST_TMPDIR/failing-select.so"
    cat >"$BATS_TEST_TMPDIR/failing-select.c" <<'EOF'
#include <errno.h>
#include <stdlib.h>
#include <sys/select.h>
int select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
    static int calls;
    struct timespec ts = { 0, 0 };
    if (calls++ >= atoi(getenv("SELECT_OK") ? getenv("SELECT_OK") : "0")) {
        errno = EIO;
        return -1;
    }
    if (tv != NULL)
        ts = (struct timespec){ tv->tv_sec, tv->tv_usec * 1000 };
    return pselect(n, r, w, e, tv != NULL ? &ts : NULL, NULL);
}
EOF
    ${CC:-cc} -shared -fPIC -o "$FAILING_SELECT" "$BATS_TEST_TMPDIR/failing-select.c"
}

# with_failing_select CMD...: runs CMD on the select backend with the
# failing select() preloaded (ASan wants to come first; this must, to count).
with_failing_select() {
    LD_PRELOAD=$FAILING_SELECT ASAN_OPTIONS=$ASAN_OPTIONS:verify_asan_link_order=0 \
        WAITLESS_BACKEND=select "$@"
}

# urls N URL: prints URL N times, one a line (for "fetch -").
urls() { for ((i = 0; i < $1; i++)); do echo "$2"; done; }

@test "select fails: the 64 fetches in flight and the 6 not started all fail, exit 1" {
    failing_select
    start_server
    urls 70 "$SLOW/slow?delay=0.2" >"$BATS_TEST_TMPDIR/urls"
    run --separate-stderr with_failing_select "$FETCH" - <"$BATS_TEST_TMPDIR/urls"
    [ "$status" -eq 1 ]
    [[ $output == *"reactor: 0 fetched, 70 failed, 0 bytes in "* ]]
    [ "$(grep -c '^ *[0-9]*  error .*(reactor_run: Input/output error)$' <<<"$output")" -eq 70 ]
    [[ $(result_line 64 | awk '{print $4, $5}') == 0.0*" "0.0* ]]   # started, then failed
    [ "$(result_line 65 | awk '{print $4, $5}')" = "- -" ]           # never started
    [[ $stderr == *"reactor: $SLOW/slow?delay=0.2: reactor_run: Input/output error"* ]]
}
