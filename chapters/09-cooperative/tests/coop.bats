#!/usr/bin/env bats
# Chapter 09: a long loop inside a reactor callback starves the heartbeat;
# the same loop in cooperative steps, or in a worker thread, does not.

load ../../../tests/helpers

COOP="$TOP/chapters/09-cooperative/coop"
DRIVE="$TOP/chapters/09-cooperative/coopdrive"

teardown() { stop_servers; }

# field NAME: the number after NAME on the line of $output for variant $1.
field() { grep "^$1 " <<<"$output" | sed -nE "s/.* $2 +([0-9.]+) s.*/\1/p"; }

@test "blocking: the heartbeat is late by many periods, and so are the pages" {
    start_server
    run "$COOP" --variant blocking "$SLOW/slow?delay=0.2" "$SLOW/slow?delay=0.3"
    [ "$status" -eq 0 ]
    [[ $output == "blocking        216816 primes"* ]]
    check "$(field blocking lateness) > 0.2"                  # > 4 periods of 50 ms
    check "$(field blocking pages) >= $(field blocking work)"  # the pages waited too
}

@test "cooperative: the heartbeat stays within two periods; pages arrive on time" {
    start_server
    run "$COOP" --variant cooperative "$SLOW/slow?delay=0.2" "$SLOW/slow?delay=0.3"
    [ "$status" -eq 0 ]
    [[ $output == "cooperative     216816 primes"* ]]
    check "$(field cooperative lateness) < 0.1"
    check "$(field cooperative pages) < 0.45"
}

@test "thread: the heartbeat stays within two periods; the result comes through the pipe" {
    start_server
    run "$COOP" --variant thread "$SLOW/slow?delay=0.2"
    [ "$status" -eq 0 ]
    [[ $output == "thread          216816 primes"* ]]
    check "$(field thread lateness) < 0.1"
    check "$(field thread pages) < 0.45"
}

@test "all three in one run, the same count each; usage errors exit 2" {
    run "$COOP" --limit 100000
    [ "$status" -eq 0 ]
    [ "$(grep -c ' 9592 primes' <<<"$output")" -eq 3 ]
    run "$COOP" --variant nope
    [ "$status" -eq 2 ]
    run "$COOP" --limit x
    [ "$status" -eq 2 ]
    run "$COOP" --help
    [ "$status" -eq 0 ]
}

@test "a task runs its steps to the end" {
    run "$DRIVE" 5
    [ "$output" = "done: finished after 5 steps" ]
}

@test "no step runs while paused; pauses count; resume without pause is refused" {
    run "$DRIVE" 100000 0:pause 0.1:pause 0.2:resume 0.3:resume 0.3:resume
    [ "$status" -eq 0 ]
    [ "$output" = "pause: 0 at step 1
pause: 0 at step 1
resume: 0 at step 1
resume: 0 at step 1
resume: -1 at step 1
done: finished after 100000 steps" ]
}

@test "stop ends the task at once, calls done once, and nothing works after it" {
    run "$DRIVE" 100 0:stop 0.1:pause 0.1:resume 0.1:stop
    [ "$output" = "done: stopped after 1 steps
stop: 0 at step 1
pause: -1 at step 1
resume: -1 at step 1
stop: -1 at step 1" ]
}

@test "a step that stops its own task and returns COOP_DONE: done is called once" {
    # coopdrive acts from timers, never inside a step: this needs a driver
    # of its own, built as the exercises are (the chapter's flags and objects).
    cat >"$BATS_TEST_TMPDIR/stop-in-step.c" <<'EOF'
#include <stdio.h>
#include "cooperate.h"
static struct coop_task *task;
static int steps;
static enum coop_step step(void *arg)
{
    (void)arg;
    if (++steps < 3)
        return COOP_MORE;
    printf("step 3: coop_stop: %d\n", coop_stop(task));
    return COOP_DONE;   /* after the stop: must not end the task again */
}
static void done(enum coop_end how, void *arg)
{
    (void)arg;
    printf("done: %s after %d steps\n", how == COOP_FINISHED ? "finished" : "stopped", steps);
}
int main(void)
{
    struct reactor *r = reactor_new();
    if (r == NULL || (task = cooperate(r, step, NULL)) == NULL)
        return 1;
    coop_when_done(task, done, NULL);
    int rc = reactor_run(r);
    coop_free(task);
    reactor_free(r);
    return rc < 0;
}
EOF
    flags=$(make -s -C "$TOP/chapters/09-cooperative" exercise-flags)
    $(sed -n 's/^cc: //p' <<<"$flags") $(sed -n 's/^cflags: //p' <<<"$flags") \
        -o "$BATS_TEST_TMPDIR/stop-in-step" "$BATS_TEST_TMPDIR/stop-in-step.c" \
        $(sed -n 's/^link: //p' <<<"$flags")
    run "$BATS_TEST_TMPDIR/stop-in-step"
    [ "$status" -eq 0 ]
    [ "$output" = "done: stopped after 3 steps
step 3: coop_stop: 0" ]
}

@test "a paused task can be stopped; a finished one cannot be paused" {
    run "$DRIVE" 3 0:pause 0.05:stop
    [ "$output" = "pause: 0 at step 1
done: stopped after 1 steps
stop: 0 at step 1" ]
    run "$DRIVE" 3 0.05:pause
    [ "$output" = "done: finished after 3 steps
pause: -1 at step 3" ]
    run "$DRIVE" 3 0.05:jump
    [ "$status" -eq 2 ]
}
