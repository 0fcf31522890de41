#!/usr/bin/env bats
# The fuzz corpus (tests/fuzz/corpus/TARGET/: hand-made seeds, and every
# input that ever crashed a target) replayed through each fuzz target,
# built with the normal compiler: a fixed bug that comes back fails here,
# without clang or libFuzzer. `make fuzz` looks for new inputs.

load helpers

replay() {
    local target=$1 inputs
    inputs=("$TOP/tests/fuzz/corpus/$target"/*)
    run "$TOP/tests/fuzz/$target-replay" "${inputs[@]}"
    [ "$status" -eq 0 ] || { echo "$target: $output" >&2; return 1; }
    [ "$output" = "replayed ${#inputs[@]} inputs" ]
}

@test "fuzz corpus: url_parse keeps its promises on every input" {
    replay url
}

@test "fuzz corpus: the response parser gives one result for any split" {
    replay response
}

@test "fuzz corpus: the server's request parsing keeps its promises" {
    replay request
}
