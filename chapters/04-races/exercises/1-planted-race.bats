#!/usr/bin/env bats
# Exercise 04-1: the counts must be exact in every run (the starter loses
# updates of `total` in nearly every run), and a ThreadSanitizer build of
# the same file must report nothing: exact counts can hide a race that
# happened to do no harm, such as the unlocked read that picks `busiest`.

load ../../../tests/helpers

@test "every count is exact, 10 runs in a row" {
    for i in $(seq 10); do
        run "$PROGRAM"
        echo "run $i: $output"
        [ "$status" -eq 0 ]
        [[ $output == "sum of hits 8000000, total 8000000, expected 8000000 (busiest: site "[0-7]")" ]]
    done
}

@test "ThreadSanitizer reports no race" {
    local tsan="$BATS_TEST_TMPDIR/tsan"
    ${CC:-cc} -std=c11 -g -O1 -fsanitize=thread -o "$tsan" "$SOURCE" -lpthread ||
        skip "this compiler cannot build with -fsanitize=thread"
    run env TSAN_OPTIONS=exitcode=88 "$tsan"
    [[ $output != *"FATAL: ThreadSanitizer"* ]] || skip "ThreadSanitizer cannot run here: $output"
    [ "$status" -eq 0 ]   # 88: TSan reported a race (the report is above)
}
