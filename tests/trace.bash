# trace.bash: checks of what --trace prints (chapters 06, 07 and 10), for a
# bats file that ran a fetcher with `run --separate-stderr`:
#   load ../../../tests/trace      (after tests/helpers)

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
