#!/usr/bin/env bats
# The workshop kit: tests/bin/kit-check keeps its patches (and the marked
# copies of whole-file kits) in step with their chapters, kit-sync makes a
# drifted patch again; tests/bin/run-exercises makes the attendee's file
# once, cuts off a program that runs too long, names a crash, a leak, an fd
# left open, counts a skip apart, and checks one exercise alone.
load helpers

@test "make kit-check: every patch of the kit applies to its chapter, every marked copy matches" {
    run timeout 30 "$TOP/tests/bin/kit-check"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ $output == "kit-check: "*" patches apply to their chapters; "*" copied regions in "*" match" ]]
}

@test "kit-check names the patch and its hunk when a chapter line in its context changes; kit-sync makes it again" {
    copy=$BATS_TEST_TMPDIR/tree
    mkdir -p "$copy/tests/bin" "$copy/chapters"
    cp "$TOP"/tests/bin/kit-{check,apply,sync} "$copy/tests/bin/"
    cp -r "$TOP/chapters/03-thread-pool" "$copy/chapters/"
    ch=$copy/chapters/03-thread-pool
    git -C "$copy" init -q && git -C "$copy" add -A && git -C "$copy" -c user.name=t -c user.email=t@t commit -qm kit
    # The first line of queue_put: context of a solution's hunk there (a
    # solution is a patch of its starter, made from the chapter's file).
    sed -i 's|^static void queue_put(struct pool \*p, int index)$|& /* puts */|' "$ch/fetch.c"
    grep -qF 'int index) /* puts */' "$ch/fetch.c"
    run timeout 30 "$copy/tests/bin/kit-check"
    echo "$output"
    [ "$status" -eq 1 ]
    [[ $output == *"kit-check: chapters/03-thread-pool/solutions/2-per-host-limit.patch no longer applies to its starter (exercises/2-per-host-limit.patch applied to 03-thread-pool/fetch.c: the chapter or the starter changed"* ]]
    [[ $output == *"  hunk #"*" (near line "*" of exercises/2-per-host-limit.c): @@ "* ]]
    # kit-sync merges the change into each patch, starters first.
    run timeout 30 "$copy/tests/bin/kit-sync" "$ch"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ $output == *"solutions/2-per-host-limit.patch made again against exercises/2-per-host-limit.c"* ]]
    grep -qF 'int index) /* puts */' "$ch/solutions/2-per-host-limit.patch"
    "$copy/tests/bin/kit-apply" "$ch/solutions/2-per-host-limit.patch" "$BATS_TEST_TMPDIR/solution.c"
    grep -qF 'int index) /* puts */' "$BATS_TEST_TMPDIR/solution.c"
    grep -qF 'host_enter(p, p->job->results[index].url);' "$BATS_TEST_TMPDIR/solution.c"
    timeout 30 "$copy/tests/bin/kit-check" "$ch"
    # A chapter line that a solution rewrites: left for the author, named.
    git -C "$copy" add -A && git -C "$copy" -c user.name=t -c user.email=t@t commit -qm synced
    sed -i 's|^    p->queue\[p->queue_tail++\] = index;$|    p->queue[p->queue_tail++] = index;   /* put */|' "$ch/fetch.c"
    grep -qF '= index;   /* put */' "$ch/fetch.c"
    run timeout 30 "$copy/tests/bin/kit-sync" "$ch"
    echo "$output"
    [ "$status" -eq 1 ]
    [[ $output == *"solutions/"*".patch no longer applies, and its change could not be placed: left as it was"* ]]
}

@test "make exercises makes the attendee's file from the starter's patch once, and never overwrites it; the solution patches the starter as made" {
    copy=$BATS_TEST_TMPDIR/tree
    mkdir -p "$copy/tests/bin" "$copy/chapters"
    cp "$TOP"/tests/bin/kit-{apply,harness.c} "$TOP/tests/bin/run-exercises" "$copy/tests/bin/"
    cp -r "$TOP/chapters/11-servers" "$copy/chapters/"
    ch=$copy/chapters/11-servers
    rm -f "$ch/exercises/1-stats.c"
    "$copy/tests/bin/kit-apply" "$ch/exercises/1-stats.patch" "$BATS_TEST_TMPDIR/want.c"
    # The checker's own first step, without running the tests (no bats here).
    run env PATH="$BATS_TEST_TMPDIR/nobats:/usr/bin:/bin" bash -c "
        source <(sed -n '/^# exercise NAME/,/^}/p' '$copy/tests/bin/run-exercises')
        top='$copy'; say() { echo \"\$*\"; }; check_all() { return 0; }; passed=0
        cd '$ch' && exercise 1-stats && exercise 1-stats"
    echo "$output"
    [ "$status" -eq 0 ]
    cmp "$ch/exercises/1-stats.c" "$BATS_TEST_TMPDIR/want.c"
    [ "$(grep -c 'made exercises/1-stats.c from the chapter' <<<"$output")" -eq 1 ]
    echo "/* mine */" >>"$ch/exercises/1-stats.c"
    run env bash -c "
        source <(sed -n '/^# exercise NAME/,/^}/p' '$copy/tests/bin/run-exercises')
        top='$copy'; say() { echo \"\$*\"; }; check_all() { return 0; }; passed=0
        cd '$ch' && exercise 1-stats"
    tail -n 1 "$ch/exercises/1-stats.c" | grep -qF '/* mine */'
    # The solution is a patch of the starter as the kit makes it, not of
    # the attendee's file: exactly the change the exercise asks for.
    head -n 1 "$ch/solutions/1-stats.patch" | grep -qxF -- '--- exercises/1-stats.c'
    "$copy/tests/bin/kit-apply" --base "$ch/solutions/1-stats.patch" "$BATS_TEST_TMPDIR/base.c"
    cmp "$BATS_TEST_TMPDIR/want.c" "$BATS_TEST_TMPDIR/base.c"
    "$copy/tests/bin/kit-apply" "$ch/solutions/1-stats.patch" "$BATS_TEST_TMPDIR/solution.c"
    not grep -qF '/* mine */' "$BATS_TEST_TMPDIR/solution.c"
    not cmp -s "$BATS_TEST_TMPDIR/want.c" "$BATS_TEST_TMPDIR/solution.c"
}

@test "a solution that patches its whole starter is made from the starter as shipped; an edited starter is named, kit-sync follows a changed one" {
    copy=$BATS_TEST_TMPDIR/tree
    mkdir -p "$copy/tests/bin" "$copy/chapters"
    cp "$TOP"/tests/bin/kit-{check,apply,sync} "$copy/tests/bin/"
    cp -r "$TOP/chapters/14-completion" "$copy/chapters/"
    ch=$copy/chapters/14-completion
    rm -rf "$ch/build"
    git -C "$copy" init -q && git -C "$copy" add -A && git -C "$copy" -c user.name=t -c user.email=t@t commit -qm kit
    "$copy/tests/bin/kit-apply" "$ch/solutions/1-batch.patch" "$BATS_TEST_TMPDIR/want.c"
    grep -qF 'the ring is full: submit it all' "$BATS_TEST_TMPDIR/want.c"
    # The attendee's work in the starter: the solution is made from the committed one.
    sed -i 's|^#include "uring.h"$|& /* mine */|' "$ch/exercises/1-batch.c"
    "$copy/tests/bin/kit-apply" "$ch/solutions/1-batch.patch" "$BATS_TEST_TMPDIR/got.c"
    cmp "$BATS_TEST_TMPDIR/want.c" "$BATS_TEST_TMPDIR/got.c"
    "$copy/tests/bin/kit-apply" --base "$ch/solutions/1-batch.patch" "$BATS_TEST_TMPDIR/base.c"
    git -C "$copy" show HEAD:chapters/14-completion/exercises/1-batch.c | cmp - "$BATS_TEST_TMPDIR/base.c"
    # kit-check holds the starter as it is to the patch's cksum.
    run timeout 30 "$copy/tests/bin/kit-check" "$ch"
    echo "$output"
    [ "$status" -eq 1 ]
    [[ $output == *"kit-check: chapters/14-completion/solutions/1-batch.patch is a patch of the starter exercises/1-batch.c as it was shipped"* ]]
    # Without git, it says how to get the starter back.
    mv "$copy/.git" "$copy/git"
    run "$copy/tests/bin/kit-apply" "$ch/solutions/1-batch.patch" "$BATS_TEST_TMPDIR/got.c"
    [ "$status" -eq 1 ]
    [[ $output == *"get the starter back (git checkout exercises/1-batch.c)"* ]]
    mv "$copy/git" "$copy/.git"
    # A starter changed on purpose: kit-sync merges the change into the solution.
    run timeout 30 "$copy/tests/bin/kit-sync" "$ch"
    echo "$output"
    [[ $output == *"solutions/1-batch.patch made again against exercises/1-batch.c"* ]]
    run timeout 30 "$copy/tests/bin/kit-check" "$ch"
    echo "$output"
    [ "$status" -eq 0 ]
    "$copy/tests/bin/kit-apply" "$ch/solutions/1-batch.patch" "$BATS_TEST_TMPDIR/got.c"
    grep -qF '#include "uring.h" /* mine */' "$BATS_TEST_TMPDIR/got.c"
    grep -qF 'the ring is full: submit it all' "$BATS_TEST_TMPDIR/got.c"
}

@test "kit-check names a marker that points at nothing, and a copied function that differs" {
    copy=$BATS_TEST_TMPDIR/tree
    mkdir -p "$copy/tests/bin" "$copy/chapters/99-x/exercises"
    cp "$TOP/tests/bin/kit-check" "$copy/tests/bin/"
    printf '/* slide:a */\nint a;\n/* end slide */\n' >"$copy/chapters/99-x/x.c"
    printf 'static int f(void)\n{\n    return 1;\n}\n' >>"$copy/chapters/99-x/x.c"
    printf '/* kit: x.c#b */\nint a;\n/* end kit */\n/* kit: x.c#g() */\n/* end kit */\n' >"$copy/chapters/99-x/exercises/1-x.c"
    printf '/* kit: x.c#f() */\nstatic int f(void)\n{\n    return 2;\n}\n/* end kit */\n' >"$copy/chapters/99-x/exercises/2-x.c"
    run timeout 20 "$copy/tests/bin/kit-check"
    echo "$output"
    [ "$status" -eq 1 ]
    [[ $output == *"exercises/1-x.c: chapters/99-x/x.c has no region /* slide:b */"* ]]
    [[ $output == *"exercises/1-x.c: chapters/99-x/x.c has no function g"* ]]
    [[ $output == *"exercises/2-x.c: its copy of x.c#f() differs"*"return 1;"* ]]
}

@test "kit-check: a region the chapter split is named as such, and --fix does not delete the rest of the copy" {
    copy=$BATS_TEST_TMPDIR/tree
    ch=$copy/chapters/99-x
    mkdir -p "$copy/tests/bin" "$ch/exercises"
    cp "$TOP/tests/bin/kit-check" "$copy/tests/bin/"
    # The kit copied region q when it held both functions; the slides split it.
    printf '/* slide:q */\nint a;\n/* end slide */\n\n/* slide:q_more */\nint b;\n/* end slide */\n' >"$ch/x.c"
    printf 'static int f(void)\n{\n    int n = 1;\n    /* end slide */\n    /* slide:f_end */\n    return n;\n}\n' >>"$ch/x.c"
    kit='/* kit: x.c#q */\nint a;\n\nint b;\n/* end kit */\n'
    printf "$kit" >"$ch/exercises/1-x.c"
    run timeout 20 "$copy/tests/bin/kit-check"
    echo "$output"
    [ "$status" -eq 1 ]
    [[ $output == *"exercises/1-x.c: its copy of x.c#q holds more than chapters/99-x/x.c's region (the region was split: re-mark"* ]]
    run timeout 20 "$copy/tests/bin/kit-check" --fix
    [ "$status" -eq 1 ]
    [ "$(cat "$ch/exercises/1-x.c")" = "$(printf "$kit")" ]
    # Re-marked as the new regions, it matches; a whole function leaves out
    # the slide markers inside it.
    printf '/* kit: x.c#q */\nint a;\n/* end kit */\n\n/* kit: x.c#q_more */\nint b;\n/* end kit */\n' >"$ch/exercises/1-x.c"
    printf '/* kit: x.c#f() */\nstatic int f(void)\n{\n    int n = 1;\n    return n;\n}\n/* end kit */\n' >>"$ch/exercises/1-x.c"
    run timeout 20 "$copy/tests/bin/kit-check"
    echo "$output"
    [ "$status" -eq 0 ]
}

# A chapter of exercises: one loops forever after printing two lines
# (never flushing), one crashes, one passes, one leaks, one leaves a socket
# open, one skips its test.
make_chapter() {
    ch=$BATS_TEST_TMPDIR/99-kit
    mkdir -p "$ch/exercises"
    printf 'exercise-flags:\n\t@echo "cc: %s"\n\t@echo "cflags: -std=c11"\n\t@echo "link: "\n\t@echo "warn: -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE"\n\t@echo "objs: "\n\t@echo "libs: "\n\t@echo "tsan: "\n' "${CC:-cc}" >"$ch/Makefile"
    printf '#include <stdio.h>\nint main(void) { printf("line one\\n"); printf("line two\\n"); for (;;) ; }\n' >"$ch/exercises/1-loop.c"
    printf '#include <stdio.h>\nint main(void) { volatile int *p = 0; printf("before\\n"); return *p; }\n' >"$ch/exercises/2-crash.c"
    printf 'int main(void) { return 0; }\n' >"$ch/exercises/3-fine.c"
    printf '#include <stdlib.h>\nint main(void) {\n    char *p = malloc(10);\n    p[0] = 0;\n    return p[0];\n}\n' >"$ch/exercises/4-leak.c"
    printf '#include <sys/socket.h>\nint main(void) { return socket(AF_INET, SOCK_STREAM, 0) < 0; }\n' >"$ch/exercises/5-socket.c"
    printf 'int main(void) { return 0; }\n' >"$ch/exercises/6-skip.c"
    for n in 1-loop 2-crash 3-fine 4-leak 5-socket 6-skip; do
        echo "# Exercise $n" >"$ch/exercises/$n.md"
        printf 'load %s/tests/bin/kit\n# takes: 0.1 s\n@test "it exits 0" {\n    run "$PROGRAM"\n    [ "$status" -eq 0 ]\n}\n@test "never reached" { false; }\n' "$TOP" >"$ch/exercises/$n.bats"
    done
    sed -i 's/@test "never reached" { false; }//' "$ch"/exercises/{3-fine,4-leak,5-socket}.bats
    printf '@test "needs a thing" { skip "no such thing here"; }\n' >"$ch/exercises/6-skip.bats"
}

@test "run-exercises: an endless loop is cut off at the test's limit, named, with the lines it printed" {
    make_chapter
    start=$(now)
    run timeout 60 "$TOP/tests/bin/run-exercises" --ex 1 "$ch"
    echo "$output"
    check "$(now) - $start < 15"          # a 3 s limit (0.1 s, 3 times, plus 2 s), and nothing else waited for
    [[ $output == *"1-loop"*"not yet"* ]]
    [[ $output == *'timed out after 3 s in test "it exits 0"'* ]]
    [[ $output == *"line one"*"line two"* ]]
    not grep -q "never reached" <<<"$output"   # it stops at the first failure
    [[ ${lines[-1]} == "exercises: 0 passed, 1 not yet, 0 skipped" ]]
}

@test "run-exercises: a crash is named with its line; EX picks one exercise" {
    make_chapter
    run env EX=2-crash timeout 60 "$TOP/tests/bin/run-exercises" "$ch"
    echo "$output"
    [[ $output == *"undefined behaviour (UBSan): load of null pointer of type 'volatile int', at exercises/2-crash.c:2"* ]]
    [[ $output == *'in test "it exits 0"'* ]]
    not grep -q "1-loop" <<<"$output"
    run timeout 60 "$TOP/tests/bin/run-exercises" --ex 3 "$ch"
    [[ $output == *"3-fine"*"passed"* ]]
    [[ ${lines[-1]} == "exercises: 1 passed, 0 not yet, 0 skipped" ]]
    run timeout 60 "$TOP/tests/bin/run-exercises" --ex 7 "$ch"
    [ "$status" -eq 2 ]
    [[ $output == *"no exercise 7 here"* ]]
}

@test "run-exercises: a leak and an fd left open fail a passing test, named with kind and line; a skip is counted apart" {
    make_chapter
    run timeout 60 "$TOP/tests/bin/run-exercises" "$ch"
    echo "$output"
    [[ $output == *"4-leak"*"not yet"*"a memory leak (LeakSanitizer)"*", at exercises/4-leak.c:3"*"Direct leak of 10 byte(s)"* ]]
    [[ $output == *"5-socket"*"not yet"*"an fd left open at exit, opened at exercises/5-socket.c:2"*"fd "[0-9]*" is still open at exit: a socket (socket:["*"opened by #0 in main exercises/5-socket.c:2"* ]]
    [[ $output == *"6-skip"*"skipped"*"a test cannot run here: no such thing here"* ]]
    [[ ${lines[-1]} == "exercises: 1 passed, 4 not yet, 1 skipped" ]]
}

@test "run-exercises: in a chapter that says leaks: valgrind, a leak that LeakSanitizer misses after swapcontext is named, with its line" {
    command -v valgrind >/dev/null || skip "valgrind is not installed (apt-get install valgrind)"
    make_chapter
    sed -i 's/@echo "tsan: "/&\n\t@echo "leaks: valgrind"/' "$ch/Makefile"
    rm "$ch"/exercises/*
    # A coroutine that loses what it allocated; after swapcontext, ASan's
    # leak check sees a stale copy of the pointer and says nothing.
    printf '%s\n' '#include <stdio.h>' '#include <stdlib.h>' '#include <ucontext.h>' \
        'static ucontext_t main_ctx, co_ctx;' \
        'static void co(void) { char *p = malloc(64); snprintf(p, 64, "co"); puts(p); }' \
        'int main(void) {' '    char *stack = malloc(65536);' \
        '    if (stack == NULL || getcontext(&co_ctx) < 0) return 1;' \
        '    co_ctx.uc_stack.ss_sp = stack; co_ctx.uc_stack.ss_size = 65536; co_ctx.uc_link = &main_ctx;' \
        '    makecontext(&co_ctx, co, 0);' '    if (swapcontext(&main_ctx, &co_ctx) < 0) return 1;' \
        '    free(stack);' '    return 0;' '}' >"$ch/exercises/1-co.c"
    echo "# Exercise 1-co" >"$ch/exercises/1-co.md"
    printf 'load %s/tests/bin/kit\n# takes: 0.5 s\n@test "it says co" {\n    run "$PROGRAM"\n    [ "$status" -eq 0 ]\n    [ "$output" = co ]\n}\n' "$TOP" >"$ch/exercises/1-co.bats"
    run timeout 120 "$TOP/tests/bin/run-exercises" "$ch"
    echo "$output"
    [[ $output == *"1-co"*"not yet"*"a memory leak (valgrind): memory allocated and never freed, at 1-co.c:5"*"64 bytes in 1 blocks are definitely lost"* ]]
    [[ $output == *"(valgrind build)"* ]]
    [[ ${lines[-1]} == "exercises: 0 passed, 1 not yet, 0 skipped" ]]
    # Freed, it passes (valgrind's own fds are not the program's).
    sed -i 's/puts(p); }/puts(p); free(p); }/' "$ch/exercises/1-co.c"
    run timeout 120 "$TOP/tests/bin/run-exercises" "$ch"
    echo "$output"
    [[ ${lines[-1]} == "exercises: 1 passed, 0 not yet, 0 skipped" ]]
}

@test "make check: a room's set-up, ending with 'check: N passed, 0 failed'" {
    start=$(now)
    run timeout 120 "$TOP/tests/bin/check"
    echo "$output"
    [ "$status" -eq 0 ]
    [[ ${lines[-1]} =~ ^check:\ [0-9]+\ passed,\ 0\ failed$ ]]
    [[ $output == *"ok    chapters/06-select/fetch: select: 2 fetched"* ]]
    [[ $output == *"starters compile"* ]]
    [[ $output == *"solutions compile and survive a smoke run"* ]]
    check "$(now) - $start < 90"
}

@test "make check names what is missing and how to install it" {
    mkdir -p "$BATS_TEST_TMPDIR/bin"
    printf '#!/bin/sh\nexit 127\n' >"$BATS_TEST_TMPDIR/bin/bats"
    chmod +x "$BATS_TEST_TMPDIR/bin/bats"
    PATH=$BATS_TEST_TMPDIR/bin:$PATH run timeout 20 "$TOP/tests/bin/check"
    echo "$output"
    [ "$status" -eq 1 ]
    [[ $output == *"FAIL  bats 1.5 or later is needed"*"apt-get install bats"* ]]
    [[ ${lines[-1]} =~ ^check:\ [0-9]+\ passed,\ 1\ failed$ ]]
}
