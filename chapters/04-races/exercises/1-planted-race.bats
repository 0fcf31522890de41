#!/usr/bin/env bats
# Exercise 04-1: the counts must be exact in every run (the starter loses
# updates of `total` in nearly every run). Run TSan by hand as well: see
# 1-planted-race.md.

load ../../../tests/helpers

@test "every count is exact, 10 runs in a row" {
    for i in $(seq 10); do
        run "$PROGRAM"
        echo "run $i: $output"
        [ "$status" -eq 0 ]
        [[ $output == "sum of hits 8000000, total 8000000, expected 8000000 (busiest: site "[0-7]")" ]]
    done
}
