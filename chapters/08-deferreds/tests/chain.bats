#!/usr/bin/env bats
# Chapter 08: every rule of a deferred chain, checked on chain's trace, and
# the deferred's misuse reports (fire twice, an unhandled failure).

load ../../../tests/helpers

CHAIN="$TOP/chapters/08-deferreds/chain"

@test "a successful chain runs every callback, in order, each getting the last result" {
    run --separate-stderr "$CHAIN"
    [ "$status" -eq 0 ]
    [ "$output" = 'fire: deferred_callback("start")
stage 0: callback("start") returns "result 0"
stage 1: callback("result 0") returns "result 1"
stage 2: callback("result 1") returns "result 2"
stage 3: callback("result 2") returns "result 3"
end of chain: result "result 3"' ]
    [ -z "$stderr" ]
}

@test "the talk's chain: fail, fail again, recover, callback" {
    run --separate-stderr "$CHAIN" --talk
    [ "$status" -eq 0 ]
    [ "$output" = 'fire: deferred_callback("start")
stage 0: callback("start") fails: "error 0"
stage 1: errback("error 0") fails again: "error 1"
stage 2: errback("error 1") recovers: "result 2"
stage 3: callback("result 2") returns "result 3"
end of chain: result "result 3"' ]
}

@test "a failing callback skips to the next errback; a recovering errback resumes callbacks" {
    run "$CHAIN" --fail-at 1 --stages 4
    [ "${lines[2]}" = 'stage 1: callback("result 0") fails: "error 1"' ]
    [ "${lines[3]}" = 'stage 2: errback("error 1") recovers: "result 2"' ]
    [ "${lines[4]}" = 'stage 3: callback("result 2") returns "result 3"' ]
}

@test "deferred_errback starts at the first errback" {
    run "$CHAIN" --errback --stages 2
    [ "${lines[0]}" = 'fire: deferred_errback("bad start")' ]
    [ "${lines[1]}" = 'stage 0: errback("bad start") recovers: "result 0"' ]
    [ "${lines[2]}" = 'stage 1: callback("result 0") returns "result 1"' ]
}

@test "a failure past the last stage is reported as unhandled on stderr" {
    run --separate-stderr "$CHAIN" --errback --eb-fail-at 0,1,2,3
    [ "$status" -eq 0 ]
    [ "${lines[4]}" = 'stage 3: errback("error 2") fails again: "error 3"' ]
    [ "${lines[5]}" = 'end of chain: failure "error 3", unhandled' ]
    [ "$stderr" = "deferred: unhandled failure at the end of the chain (no errback took it)" ]
}

@test "stages added after the deferred fired run at once, with the value so far" {
    run "$CHAIN" --late 2 --fail-at 1
    [ "$output" = 'fire: deferred_callback("start")
stage 0: callback("start") returns "result 0"
stage 1: callback("result 0") fails: "error 1"
adding stage 2 to a fired deferred: it runs at once
stage 2: errback("error 1") recovers: "result 2"
adding stage 3 to a fired deferred: it runs at once
stage 3: callback("result 2") returns "result 3"
end of chain: result "result 3"' ]
}

@test "a deferred fires once: a second fire is refused and reported" {
    run --separate-stderr "$CHAIN" --twice --stages 1
    [ "$status" -eq 0 ]
    [ "${lines[-1]}" = "fire again: refused, the chain did not run again" ]
    [ "$(grep -c '^stage ' <<<"$output")" -eq 1 ]
    [ "$stderr" = "deferred_callback: this deferred has fired already (a deferred fires once)" ]
}

@test "gather waits for all, keeps their order, and carries failures as failures" {
    run --separate-stderr "$CHAIN" --gather 3 --fail-at 1
    [ "$status" -eq 0 ]
    [ "$output" = 'fire deferred 2: callback
fire deferred 1: errback
fire deferred 0: callback
gathered 0: result "page 0"
gathered 1: failure "error 1"
gathered 2: result "page 2"' ]
    [ -z "$stderr" ]
}

@test "gather of one failure only" {
    run "$CHAIN" --gather 1 --fail-at 0
    [ "${lines[1]}" = 'gathered 0: failure "error 0"' ]
}

@test "usage: --help exits 0, bad options exit 2 with a message" {
    run "$CHAIN" --help
    [ "$status" -eq 0 ]
    [[ $output == *"--fail-at LIST"* ]]
    run --separate-stderr "$CHAIN" --fail-at 9
    [ "$status" -eq 2 ]
    [[ $stderr == *"bad value"* ]]
    run --separate-stderr "$CHAIN" --stages
    [ "$status" -eq 2 ]
    [[ $stderr == *"option needs a value"* ]]
    run --separate-stderr "$CHAIN" --bogus
    [ "$status" -eq 2 ]
    [[ $stderr == *"unknown option"* ]]
}
