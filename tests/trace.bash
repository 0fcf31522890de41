# trace.bash: checks of what --trace prints (chapters 06, 07 and 10), for a
# bats file that ran a fetcher with `run --separate-stderr`:
#   load ../../../tests/trace      (after tests/helpers)
# and run_traced and check_trace_of_three, the --trace tests' shared parts.

# A trace line: seconds since the start, then a wait, a wake or an fd's step.
TRACE_LINE='^ *[0-9]+\.[0-9]{3} (wait +[0-9]+ fds, (timeout [0-9]+\.[0-9]{3} s|no timeout)|wake +[0-9]+ ready|fd [0-9]+ +[a-z].*)$'

# trace_lines: the trace lines of $stderr.
trace_lines() { grep -E "$TRACE_LINE" <<<"$stderr" || true; }

# trace_fd N: the fd of the Nth "connect started" (URLs start in order).
trace_fd() {
    trace_lines | sed -nE 's/^ *[0-9.]+ fd ([0-9]+) +connect started$/\1/p' | sed -n "$1p"
}

# trace_steps FD: fd FD's steps, without their times, joined by commas.
trace_steps() { trace_lines | sed -nE "s/^ *[0-9.]+ fd $1 +//p" | paste -sd, -; }

# check_trace_shape: some waits, each followed by its wake, and the times
# never go back.
check_trace_shape() {
    trace_lines | awk '
        { t = $1 + 0; if (t < last) { print "time went back: " $0; bad = 1 }; last = t }
        waiting && $2 != "wake" { print "a wait without its wake: " $0; bad = 1 }
        { waiting = $2 == "wait"; waits += $2 == "wait"; wakes += $2 == "wake" }
        END { if (waits == 0 || wakes == 0) { print "no wait or no wake"; bad = 1 }; exit bad }'
}

# mask_times: the report with every time (0.123) replaced by T.
mask_times() { sed -E 's/[0-9]+\.[0-9]{3}/T/g'; }

# run_traced STATUS ARG...: runs $FETCH ARG... twice, without --trace and
# with it, each to exit STATUS. Without, no trace; with, stdout is the same
# report (times aside) and holds no trace line. $output and $stderr are
# the traced run's.
run_traced() {
    local want=$1 plain
    shift
    run --separate-stderr "$FETCH" "$@"
    [ "$status" -eq "$want" ]
    plain=$output
    [ -z "$(trace_lines)" ]                       # no --trace, no trace
    run --separate-stderr "$FETCH" --trace "$@"
    [ "$status" -eq "$want" ]
    [ "$(mask_times <<<"$output")" = "$(mask_times <<<"$plain")" ]   # stdout unchanged
    not grep -qE "$TRACE_LINE" <<<"$output"
}

# check_trace_of_three MODEL: the --trace test of chapters 06 and 07 (a
# server started): a page, a page cut short and /hang, --timeout 0.5, with
# and without --trace (run_traced). stderr holds trace lines and "MODEL:
# URL: error" lines only, the waits and wakes are well formed, and each
# fd's steps are those of a page fetched, cut short and timed out.
check_trace_of_three() {
    local model=$1 fetched truncated timed_out
    run_traced 1 --timeout 0.5 "$SLOW/slow?delay=0.1&bytes=100" "$SLOW/truncate?bytes=1000" \
        "$SLOW/hang"
    not grep -vE "$TRACE_LINE|^$model: http" <<<"$stderr"   # trace lines and errors only
    check_trace_shape
    trace_lines | grep -qE 'wait +3 fds, timeout 0\.[0-9]{3} s$'
    trace_lines | grep -qE 'wake +[1-3] ready$'
    fetched='^connect started,connected,(sent [0-9]+ bytes,)+(read [1-9][0-9]* bytes,)+close$'
    [[ $(trace_steps "$(trace_fd 1)") =~ $fetched ]]
    truncated='^connect started,connected,(sent [0-9]+ bytes,)+(read [1-9][0-9]* bytes,)+read 0 bytes \(end of stream\),close$'
    [[ $(trace_steps "$(trace_fd 2)") =~ $truncated ]]
    timed_out='^connect started,connected,(sent [0-9]+ bytes,)+timed out,close$'
    [[ $(trace_steps "$(trace_fd 3)") =~ $timed_out ]]
}
