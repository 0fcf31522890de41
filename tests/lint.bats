#!/usr/bin/env bats
# Lints for the test files themselves: two ways of writing an assertion
# that cannot fail. Bats runs a test under `set -e`, and bash ignores a
# failing command there when it is negated with `!`, or when it is not the
# last of an && list:
#     ! grep -q secret log             # passes whether grep matches or not
#     [ "$a" -eq 1 ] && [ "$b" -eq 2 ]  # a wrong $a passes (unless last)
# Write `not grep -q secret log` (tests/helpers.bash), and one assertion a
# line. (A function called under ||, if or run has set -e off inside it
# too: such a function must `return 1` on its own failures. That is not
# linted here: it cannot be found by a pattern.)

load helpers

NEGATED='(^|;|\{|&&|\|\||(^|[^[:alnum:]_])(do|then|else))[[:space:]]*![[:space:]]'
CHAINED='^[[:space:]]*\[\[? .*\]\]? && \[\[? .*\]\]?[[:space:]]*$'

# lint REGEX FILE...: prints FILE:LINE: TEXT for each line that matches
# REGEX, leaving out comments and lines inside [[ ]] (where ! and && are
# the test's own operators).
lint() {
    local regex=$1
    shift
    grep -nHE "$regex" "$@" | grep -vE '^[^:]+:[0-9]+:[[:space:]]*#' |
        grep -vE '\[\[[^]]*(!|&&)[^]]*\]\]' || true
}

# The bats and bash files of the tests and exercise checks, but this one.
test_files() {
    find "$TOP/tests" "$TOP"/chapters/*/tests "$TOP"/chapters/*/exercises \
         \( -name '*.bats' -o -name '*.bash' \) -type f ! -name lint.bats | sort
}

@test "no test negates a command with ! (set -e ignores it: use not)" {
    found=$(lint "$NEGATED" $(test_files))
    [ -z "$found" ] || { echo "negated with !, so they can never fail:"; echo "$found"; false; }
}

@test "no test line is two assertions joined by && (set -e ignores the first)" {
    found=$(lint "$CHAINED" $(test_files))
    [ -z "$found" ] || { echo "split into one assertion a line:"; echo "$found"; false; }
}

@test "the lints find the bad lines of a sample, and only those" {
    sample="$BATS_TEST_TMPDIR/sample.bats"
    cat >"$sample" <<'SAMPLE'
    ! grep -q a b
    true; ! grep -q a b
    for w in 1; do ! kill -0 "$w"; done
    if ! grep -q a b; then :; fi
    not grep -q a b
    [[ a && ! b ]]
    # ! in a comment
    [ "$a" -eq 1 ] && [ "$b" -eq 2 ]
    [ "$a" -eq 1 ] && [ "$b" -eq 2 ] || return 1
SAMPLE
    [ "$(lint "$NEGATED" "$sample" | cut -d: -f2 | tr '\n' ' ')" = "1 2 3 " ]
    [ "$(lint "$CHAINED" "$sample" | cut -d: -f2 | tr '\n' ' ')" = "8 " ]
}
