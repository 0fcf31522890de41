#!/usr/bin/env bats
# Chapter 12: the reactor's rules hold on every backend; select refuses fds
# past FD_SETSIZE with a clear message; poll and epoll carry thousands of
# connections; the measuring programs measure.

load ../../../tests/helpers

CH="$TOP/chapters/12-beyond-select"
FLOOD="$CH/flood"

teardown() { stop_servers; }

# need_fds N: skip unless this shell may open N fds (flood raises its own
# soft limit to the hard one, so the hard limit is what counts).
need_fds() {
    local hard
    hard=$(ulimit -Hn)
    [ "$hard" = unlimited ] || [ "$hard" -ge "$1" ] ||
        skip "the hard open-file limit is $hard, below $1 (ulimit -Hn)"
}

@test "the reactor's rules hold on select, poll and epoll" {
    for b in select poll epoll; do
        run "$CH/paritycheck" "$b"
        [ "$status" -eq 0 ]
        [ "${lines[-1]}" = "$b: all rules hold" ]
        # 14 rules, and the fd FD_SETSIZE+100 one, which paritycheck skips
        # when the hard open-file limit is below that fd.
        [ "$(grep -v 'FD_SETSIZE+100' <<<"$output" | grep -c '^ok - ')" -eq 14 ]
        [ "$(grep -cE '^ok - .*FD_SETSIZE\+100|^skip - fd [0-9]+: the open-file limit is too low$' <<<"$output")" -eq 1 ]
        [[ $output == *"ok - cancel: before, from another timer of the same pass, and itself"* ]]
        [[ $output == *"ok - a reused fd number never gets the old fd's readiness"* ]]
    done
    run "$CH/paritycheck" epoll
    [[ $output == *"ok - a closed watched fd: epoll forgets it"* ]]
    run "$CH/paritycheck" poll
    [[ $output == *"ok - a closed watched fd: run fails with EBADF"* ]]
    run "$CH/paritycheck" select
    [[ $output != *"skip - fd "* ]] ||
        skip "all but the fd FD_SETSIZE+100 rule hold: the hard open-file limit is $(ulimit -Hn) (ulimit -Hn)"
    [[ $output == *"ok - select refuses fd FD_SETSIZE+100 with ERANGE"* ]]
    run "$CH/paritycheck" epoll
    [[ $output == *"ok - fd FD_SETSIZE+100 is watched and reported"* ]]
}

@test "select refuses the fds past FD_SETSIZE, says so, and the rest complete" {
    need_fds 1300
    start_server --backend epoll
    run "$FLOOD" --backend select --connections 1200 "$SLOW/slow?delay=0.2"
    [ "$status" -eq 1 ]
    [[ ${lines[1]} =~ ^flood\(select\):\ ([0-9]+)\ completed,\ ([0-9]+)\ failed ]]
    [ $((BASH_REMATCH[1] + BASH_REMATCH[2])) -eq 1200 ]
    [ "${BASH_REMATCH[1]}" -gt 1000 ]
    [[ $output == *"flood(select): ${BASH_REMATCH[2]} x fd over FD_SETSIZE (1024): select cannot watch it"* ]]
    [[ $output == *"flood(select): the first fd refused was 1024"* ]]
}

@test "3000 concurrent 1 s fetches complete on poll and on epoll, within 1.5 x" {
    need_fds 3100
    for b in poll epoll; do
        start_server --backend "$b"
        run "$FLOOD" --backend "$b" --connections 3000 "$SLOW/slow?delay=1"
        [ "$status" -eq 0 ]
        [[ ${lines[1]} == "flood($b): 3000 completed, 0 failed in "* ]]
        slowest=$(sed -nE 's/.*slowest answer ([0-9.]+) s.*/\1/p' <<<"$output")
        check "$slowest >= 1 && $slowest < 1.5"
    done
}

@test "WAITLESS_BACKEND chooses the backend; an unknown one is refused clearly" {
    start_server
    WAITLESS_BACKEND=poll run "$FLOOD" --connections 5 "$SLOW/slow?bytes=10"
    [ "$status" -eq 0 ]
    [[ ${lines[1]} == "flood(poll): 5 completed, 0 failed in "* ]]
    WAITLESS_BACKEND= run "$FLOOD" --connections 5 "$SLOW/slow?bytes=10"
    [[ ${lines[1]} == "flood(select): 5 completed, 0 failed in "* ]]
    WAITLESS_BACKEND=kqueue run "$FLOOD" "$SLOW/"
    [ "$status" -eq 1 ]
    [[ $output == *"reactor: WAITLESS_BACKEND=kqueue: unknown backend (choose select, poll or epoll)"* ]]
}

@test "flood: usage errors exit 2 and say what is wrong" {
    run "$FLOOD" --backend kqueue http://127.0.0.1:1/
    [ "$status" -eq 2 ]
    [[ $output == *"--backend must be select, poll or epoll, not 'kqueue'"* ]]
    run "$FLOOD" --connections 0 http://127.0.0.1:1/
    [ "$status" -eq 2 ]
    [[ $output == *"--connections must be a number from 1 to 1000000, not '0'"* ]]
    run "$FLOOD"
    [ "$status" -eq 2 ]
    [[ $output == *"a URL is needed"* ]]
    run -2 --separate-stderr "$FLOOD" --timeout=never http://127.0.0.1:1/
    [ "${stderr_lines[0]}" = "flood: --timeout must be seconds in (0, 3600], not 'never'" ]
    [ "${stderr_lines[1]}" = "Try 'flood --help'." ]
    run -2 --separate-stderr "$FLOOD" http://127.0.0.1:1/ --connections
    [ "${stderr_lines[0]}" = "flood: option '--connections' needs a value" ]
    run -2 --separate-stderr "$FLOOD" -x http://127.0.0.1:1/
    [ "${stderr_lines[0]}" = "flood: unknown option '-x'" ]
    run "$FLOOD" htp://x/
    [ "$status" -eq 2 ]
    run "$FLOOD" --help
    [ "$status" -eq 0 ]
    [[ $output == *"--backend"*"--connections"*"--timeout"* ]]
}

@test "flood reports refused connections and timeouts per kind" {
    run "$FLOOD" --backend epoll --connections 3 http://127.0.0.1:1/
    [ "$status" -eq 1 ]
    [[ $output == *"flood(epoll): 3 x connect 127.0.0.1:1: Connection refused"* ]]
    start_server
    run "$FLOOD" --backend poll --connections 4 --timeout 0.3 "$SLOW/hang"
    [ "$status" -eq 1 ]
    [[ $output == *"flood(poll): 0 completed, 4 failed in 0.3"* ]]
    [[ $output == *"flood(poll): 4 x timed out"* ]]
}

@test "blockers measures threads and processes blocked in read, then all finish" {
    start_server --backend epoll
    run "$CH/blockers" --threads 20 "$SLOW/slow?delay=0.3"
    [ "$status" -eq 0 ]
    [[ ${lines[0]} =~ ^threads:\ 20\ blocked\ in\ read:\ RSS\ \+[0-9]+\ KiB ]]
    [ "${lines[1]}" = "threads: 20 of 20 answered" ]
    run "$CH/blockers" --processes 20 "$SLOW/slow?delay=0.3"
    [ "$status" -eq 0 ]
    [[ ${lines[0]} =~ ^processes:\ 20\ blocked\ in\ read:\ summed\ Pss\ [1-9][0-9]*\ KiB ]]
    [ "${lines[1]}" = "processes: 20 of 20 answered" ]
    run "$CH/blockers" --threads 0 "$SLOW/"
    [ "$status" -eq 2 ]
}

@test "blockers and paritycheck: --help 0, usage errors 2 and named" {
    run -0 "$CH/blockers" --help
    [[ ${lines[0]} == "usage: blockers --threads N | --processes N URL" ]]
    run -2 --separate-stderr "$CH/blockers" --processes=x http://127.0.0.1:1/
    [ "${stderr_lines[0]}" = "blockers: --processes must be a number from 1 to 20000, not 'x'" ]
    [ "${stderr_lines[1]}" = "Try 'blockers --help'." ]
    run -2 --separate-stderr "$CH/blockers" http://127.0.0.1:1/
    [ "${stderr_lines[0]}" = "blockers: --threads N or --processes N is needed" ]
    run -2 --separate-stderr "$CH/blockers" --threads 2 htp://x/
    [[ ${stderr_lines[0]} == "blockers: htp://x/: "* ]]
    run -2 --separate-stderr "$CH/blockers" --threads 2 --bogus http://127.0.0.1:1/
    [ "${stderr_lines[0]}" = "blockers: unknown option '--bogus'" ]
    run -0 "$CH/paritycheck" -h
    [ "${lines[0]}" = "usage: paritycheck select|poll|epoll" ]
    run -2 --separate-stderr "$CH/paritycheck" kqueue
    [ "${stderr_lines[0]}" = "paritycheck: the backend must be select, poll or epoll, not 'kqueue'" ]
    run -2 --separate-stderr "$CH/paritycheck"
    [ "${stderr_lines[1]}" = "Try 'paritycheck --help'." ]
}

@test "make scaling's script prints one row per backend and size" {
    run "$CH/scaling" 300
    [ "$status" -eq 0 ]
    [[ ${lines[0]} == "backend"*"completed"*"wall"*"client-cpu"*"server-cpu"*"slowest" ]]
    [ "${#lines[@]}" -eq 4 ]
    for i in 1 2 3; do [[ ${lines[$i]} =~ ^(select|poll|epoll)\ +300\ +300/300\  ]]; done
}
