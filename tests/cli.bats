#!/usr/bin/env bats
# The shared fetcher command line (common/fetchcli) and report format
# (common/report, common/timeline), through tests/drivers/clicheck: a fake
# fetcher that needs no network and makes up exact times.

bats_require_minimum_version 1.5.0

TOP="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
CLICHECK=${CLICHECK:-$TOP/tests/drivers/clicheck}

setup() {
    [ -x "$CLICHECK" ] || { echo "build it first: make -C tests ($CLICHECK)" >&2; return 1; }
}

# usage_error ARGS...: runs clicheck, expects exit 2, nothing on stdout and
# "clicheck: ..." then "Try 'clicheck --help'." on stderr.
usage_error() {
    run -2 --separate-stderr "$CLICHECK" "$@"
    [ "$output" = "" ]
    [ "${stderr_lines[1]}" = "Try 'clicheck --help'." ]
    [[ ${stderr_lines[0]} == "clicheck: "* ]]
}

@test "--help: usage on stdout, exit 0" {
    for opt in --help -h; do
        run -0 --separate-stderr "$CLICHECK" "$opt" http://ignored/
        [ "$stderr" = "" ]
        [ "${lines[0]}" = "Usage: clicheck [OPTION]... URL... | -" ]
        [[ $output == *"A fake fetcher that tests the shared command line."* ]]
        [[ $output == *"  --timeout S      give up on a fetch after S seconds (default 10)"* ]]
        [[ $output == *"  --workers N      worker threads (default 5)"* ]]
        [[ $output == *"  --backend NAME   any word, echoed (default none)"* ]]
        [[ $output == *"Exit codes: 0 every URL fetched, 1 any failed, 2 usage error."* ]]
        [[ $output == *'"$SLOW/slow?delay=0.5"'* ]]
    done
    # no line wider than 80 columns
    [ "$(grep -cE '^.{81,}' <<<"$output")" -eq 0 ]
}

@test "an unknown option: exit 2, named on stderr" {
    usage_error --frobnicate http://a/
    [ "${stderr_lines[0]}" = "clicheck: unknown option '--frobnicate'" ]
    usage_error -x http://a/
    [ "${stderr_lines[0]}" = "clicheck: unknown option '-x'" ]
    usage_error -xh http://a/
    [ "${stderr_lines[0]}" = "clicheck: unknown option '-x'" ]
    usage_error --timeline=yes http://a/
    [ "${stderr_lines[0]}" = "clicheck: option '--timeline' takes no value" ]
    # getopt_long takes an unambiguous prefix; --time could be two options
    usage_error --time 3 http://a/
    [ "${stderr_lines[0]}" = "clicheck: unknown option '--time'" ]
    run -0 "$CLICHECK" --work 7 --timeo 2 http://a/
    [ "${lines[0]}" = "options: workers=7 backend=none timeout=2 timeline=0 save=-" ]
}

@test "--timeout: a number of seconds in (0, 3600], both spellings" {
    for bad in 0 -1 abc nan inf 1e999 3601 0x10 " 1" 1s ""; do
        usage_error --timeout "$bad" http://a/
        [ "${stderr_lines[0]}" = "clicheck: --timeout must be a number of seconds, more than 0 and at most 3600, not '$bad'" ] ||
            [ "${stderr_lines[0]}" = "clicheck: option '--timeout' needs a value" ]
    done
    usage_error --timeout=-1 http://a/
    [[ ${stderr_lines[0]} == *"not '-1'" ]]
    usage_error http://a/ --timeout
    [ "${stderr_lines[0]}" = "clicheck: option '--timeout' needs a value" ]
    run -0 "$CLICHECK" --timeout 2.5 http://a/
    [ "${lines[0]}" = "options: workers=5 backend=none timeout=2.5 timeline=0 save=-" ]
    run -0 "$CLICHECK" --timeout=3600 http://a/
    [[ ${lines[0]} == *" timeout=3600 "* ]]
    run -0 "$CLICHECK" http://a/
    [[ ${lines[0]} == *" timeout=10 "* ]]
}

@test "a model's integer option: checked against its range" {
    for bad in 0 1001 5x -3 "" 99999999999; do
        usage_error --workers "$bad" http://a/
        [ "${stderr_lines[0]}" = "clicheck: --workers must be a number from 1 to 1000, not '$bad'" ] ||
            [ "${stderr_lines[0]}" = "clicheck: option '--workers' needs a value" ]
    done
    usage_error --workers=1001 http://a/
    [ "${stderr_lines[0]}" = "clicheck: --workers must be a number from 1 to 1000, not '1001'" ]
    run -0 "$CLICHECK" --workers 1 --backend=poll http://a/
    [ "${lines[0]}" = "options: workers=1 backend=poll timeout=10 timeline=0 save=-" ]
    run -0 "$CLICHECK" --workers=1000 --backend epoll http://a/
    [ "${lines[0]}" = "options: workers=1000 backend=epoll timeout=10 timeline=0 save=-" ]
}

@test "no URLs: exit 2" {
    usage_error
    [ "${stderr_lines[0]}" = "clicheck: no URLs given" ]
    usage_error --workers 3
    [ "${stderr_lines[0]}" = "clicheck: no URLs given" ]
    usage_error --
    [ "${stderr_lines[0]}" = "clicheck: no URLs given" ]
}

@test "the report: a line per URL, aligned, and the exact summary line" {
    run -0 --separate-stderr "$CLICHECK" http://a/one http://b/two
    [ "$stderr" = "" ]
    [ "${lines[1]}" = "  #  status    bytes   start     end  url" ]
    [ "${lines[2]}" = "  1  200           8   0.000   0.100  http://a/one" ]
    [ "${lines[3]}" = "  2  200           8   0.100   0.200  http://b/two" ]
    [[ ${lines[4]} =~ ^clicheck:\ 2\ fetched,\ 0\ failed,\ 16\ bytes\ in\ [0-9]+\.[0-9]{3}\ s$ ]]
    [ "${#lines[@]}" -eq 5 ]
}

@test "a failed URL: exit 1, 'MODEL: URL: error' on stderr, the others still run" {
    run -1 --separate-stderr "$CLICHECK" http://a/ http://b/fail http://c/
    [ "$stderr" = "clicheck: http://b/fail: planned failure" ]
    [ "${lines[3]}" = "  2  error         0   0.100   0.200  http://b/fail  (planned failure)" ]
    [ "${lines[4]}" = "  3  200           8   0.200   0.300  http://c/" ]
    [[ ${lines[5]} == "clicheck: 2 fetched, 1 failed, 16 bytes in "*" s" ]]
}

@test "a report that cannot be written (a full disk) is an error: exit 1, said on stderr" {
    [ -w /dev/full ] || skip "no /dev/full"
    run -1 --separate-stderr bash -c '"$0" http://a/ http://b/ > /dev/full' "$CLICHECK"
    [ "$stderr" = "clicheck: writing the report: No space left on device" ]
}

@test "a bad URL is not a usage error: the model gets it" {
    run -0 "$CLICHECK" not-a-url
    [ "${lines[2]}" = "  1  200           8   0.000   0.100  not-a-url" ]
}

@test "control characters in a URL are printed escaped, never raw to the terminal" {
    run -1 --separate-stderr "$CLICHECK" --timeline - < <(printf 'http://a/\e[2J\x7ffail\n')
    [ "${lines[2]}" = '  1  error         0   0.000   0.100  http://a/\x1b[2J\x7ffail  (planned failure)' ]
    [ "$stderr" = 'clicheck: http://a/\x1b[2J\x7ffail: planned failure' ]
    [[ $output == *"0.10 s /?[2J?fail"* ]]
    [[ $output != *$'\e'* ]]
}

@test "'-' reads URLs from stdin, skipping blank lines and comments, in order" {
    run -0 --separate-stderr "$CLICHECK" http://first/ - http://last/ \
        < <(printf '# a comment\n\nhttp://s1/  \r\n   \n  http://s2/\n#http://no/\nhttp://s3/')
    [ "${lines[2]}" = "  1  200           8   0.000   0.100  http://first/" ]
    [ "${lines[3]}" = "  2  200           8   0.100   0.200  http://s1/" ]
    [ "${lines[4]}" = "  3  200           8   0.200   0.300  http://s2/" ]
    [ "${lines[5]}" = "  4  200           8   0.300   0.400  http://s3/" ]
    [ "${lines[6]}" = "  5  200           8   0.400   0.500  http://last/" ]
    [[ ${lines[7]} == "clicheck: 5 fetched, 0 failed, 40 bytes in "* ]]
}

@test "'-' with nothing on stdin, or given twice: exit 2" {
    usage_error - < <(printf '# only a comment\n\n')
    [ "${stderr_lines[0]}" = "clicheck: no URLs on standard input" ]
    usage_error - < /dev/null
    [ "${stderr_lines[0]}" = "clicheck: no URLs on standard input" ]
    usage_error - - < <(echo http://a/)
    [ "${stderr_lines[0]}" = "clicheck: '-' (read URLs from standard input) given twice" ]
    usage_error - -- - < <(echo http://a/)
    [ "${stderr_lines[0]}" = "clicheck: '-' (read URLs from standard input) given twice" ]
}

@test "'--' ends the options" {
    run -0 "$CLICHECK" --workers 2 -- --timeline -weird http://a/
    [ "${lines[0]}" = "options: workers=2 backend=none timeout=10 timeline=0 save=-" ]
    [ "${lines[2]}" = "  1  200           8   0.000   0.100  --timeline" ]
    [ "${lines[3]}" = "  2  200           8   0.100   0.200  -weird" ]
    [ "${lines[4]}" = "  3  200           8   0.200   0.300  http://a/" ]
    # "-" after "--" still means standard input
    run -0 "$CLICHECK" -- -weird - < <(echo http://in/)
    [ "${lines[3]}" = "  2  200           8   0.100   0.200  http://in/" ]
    # options may also follow URLs, until "--"
    run -0 "$CLICHECK" http://a/ --timeout 1
    [[ ${lines[0]} == *" timeout=1 "* ]]
    [ "${#lines[@]}" -eq 4 ]
}

@test "--save DIR: bodies byte-exact in DIR/1..N, nothing for failed URLs" {
    local dir="$BATS_TEST_TMPDIR/out"
    run -1 "$CLICHECK" --save "$dir" http://a/ http://b/fail http://c/ http://d/
    [ "$(cat "$dir/1")" = "hello 1" ]
    cmp "$dir/1" <(printf 'hello 1\n')
    [ ! -e "$dir/2" ]
    cmp "$dir/3" <(printf 'hello 3\n')
    cmp "$dir/4" <(printf 'hello 4\n')
    [ "$(ls "$dir" | sort | tr '\n' ' ')" = "1 3 4 " ]
    # an existing directory is fine, and the files are overwritten
    run -0 "$CLICHECK" --save="$dir" http://x/
    cmp "$dir/1" <(printf 'hello 1\n')
}

@test "--save into a path that cannot be created: the path named, exit 1" {
    run -1 --separate-stderr "$CLICHECK" --save /proc/nope http://a/
    [[ $stderr == "clicheck: mkdir /proc/nope: "* ]]
    [[ ${lines[3]} == "clicheck: 1 fetched, 0 failed, 8 bytes in "* ]]
    # a file that cannot be written (DIR/2 is a directory): named too
    local dir="$BATS_TEST_TMPDIR/out"
    mkdir -p "$dir/2"
    run -1 --separate-stderr "$CLICHECK" --save "$dir" http://a/ http://b/
    [ "$stderr" = "clicheck: open $dir/2: Is a directory" ]
}

@test "--timeline: an axis, then a row per URL with its bar" {
    run -1 --separate-stderr "$CLICHECK" --timeline "http://127.0.0.1:4000/slow?delay=0.125" http://b/fail
    [ "${lines[0]}" = "options: workers=5 backend=none timeout=10 timeline=1 save=-" ]
    [ "${lines[5]}" = "timeline: one column = 4 ms" ]
    [ "${lines[6]}" = "   |0 s                                         0.20 s|" ]
    [ "${lines[7]}" = " 1 |#########################                         | 0.10 s /slow?delay=0.125" ]
    [ "${lines[8]}" = " 2 |                         xxxxxxxxxxxxxxxxxxxxxxxxx| 0.10 s /fail" ]
    [ "${#lines[@]}" -eq 9 ]
}

@test "WAITLESS_TIMELINE_SPAN: runs share one scale (make demo); a longer run still fits" {
    # 0.5 s over 50 columns: 10 ms a column, so no bar ends on a half column.
    WAITLESS_TIMELINE_SPAN=0.5 run -1 --separate-stderr "$CLICHECK" --timeline "http://127.0.0.1:4000/slow?delay=0.125" http://b/fail
    [ "${lines[5]}" = "timeline: one column = 10 ms" ]
    [ "${lines[6]}" = "   |0 s                                         0.50 s|" ]
    [ "${lines[8]}" = " 2 |          xxxxxxxxxx                              | 0.10 s /fail" ]
    WAITLESS_TIMELINE_SPAN=0.1 run -1 --separate-stderr "$CLICHECK" --timeline "http://127.0.0.1:4000/slow?delay=0.125" http://b/fail
    [ "${lines[6]}" = "   |0 s                                         0.20 s|" ]
    WAITLESS_TIMELINE_SPAN=soon run -1 --separate-stderr "$CLICHECK" --timeline "http://127.0.0.1:4000/slow?delay=0.125" http://b/fail
    [ "${lines[5]}" = "timeline: one column = 4 ms" ]
    [[ $stderr == *"WAITLESS_TIMELINE_SPAN must be a number of seconds, not 'soon' (ignored)"* ]]
}

@test "many URLs: every row printed, labels cut to 80 columns" {
    local urls=() i
    for i in $(seq 1000); do urls+=("http://host/a/very/long/path/for/url/number/$i"); done
    run -0 "$CLICHECK" --timeline "${urls[@]}"
    [ "${lines[1]}" = "   #  status    bytes   start     end  url" ]
    [[ ${lines[1000]} == " 999  200          10  99.800  99.900  http://host/"* ]]
    [[ ${lines[1001]} == "1000  200          11  99.900 100.000  http://host/"* ]]
    [ "$(grep -cE '^ *[0-9]+ \| *#+ *\| 0\.10 s \.\.[a-z/]*number/[0-9]+$' <<<"$output")" -eq 1000 ]
    [ "$(grep -F '|' <<<"$output" | grep -cE '^.{81,}')" -eq 0 ]
    [ "$(grep -F '|' <<<"$output" | grep -cE '^.{80}$')" -eq 1000 ]
}

@test "--backend is checked without a reactor: chapter 01's fetcher links none" {
    local blocking="$TOP/chapters/01-blocking/fetch" reactor="$TOP/chapters/07-reactor/fetch"
    [ -x "$blocking" ] && [ -x "$reactor" ] || { echo "build them first: make" >&2; false; }
    command -v nm >/dev/null || skip "no nm"
    run -0 nm "$reactor"                      # nm sees the reactor where there is one
    [[ $output == *" T reactor_new_backend"* ]]
    run -0 nm "$blocking"
    [[ $output == *" T fetchcli_parse"* ]]
    [ "$(grep -c ' reactor_' <<<"$output")" -eq 0 ]
    # and a reactor fetcher still refuses an unknown backend
    run -2 --separate-stderr "$reactor" --backend kqueue http://127.0.0.1:1/
    [ "${stderr_lines[0]}" = "fetch: --backend must be select, poll or epoll, not 'kqueue'" ]
}

@test "every test driver: --help on stdout, exit 0; an unknown option on stderr, exit 2" {
    n=0
    for src in "$TOP"/tests/drivers/*.c; do
        d=${src%.c}
        [ "$(basename "$d")" = driver ] && continue
        [ -x "$d" ] || { echo "not built: $d"; false; }
        run --separate-stderr timeout 10 "$d" --help </dev/null
        [ "$status" -eq 0 ] || { echo "$d --help: exit $status"; false; }
        [[ ${output,,} == "usage: "* ]] || { echo "$d --help printed: $output"; false; }
        run --separate-stderr timeout 10 "$d" --no-such-option </dev/null
        [ "$status" -eq 2 ] || { echo "$d --no-such-option: exit $status"; false; }
        [ -z "$output" ]
        [[ $stderr == *"--no-such-option"* ]] || { echo "$d said: $stderr"; false; }
        n=$((n + 1))
    done
    [ "$n" -eq 7 ]
}
