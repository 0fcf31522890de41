#!/usr/bin/env bats
# What a reader sees: the output shown in the chapter READMEs and the decks
# (tests/bin/docs, `make docs`), the links between chapters, the glossary, and
# `make demo`'s one scale. Every <!-- output: COMMAND --> marker must be
# followed by a fenced block, and each block not marked slow must have the
# shape of a fresh run of its command (only numbers move); a block in a
# README or a deck that looks like program output must have a marker.

load helpers

BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-120}
DOCS=$TOP/tests/bin/docs

@test "every marker points at a block, and each cheap block has the shape of a fresh run (else: make docs)" {
    # One file per job, four at a time: the commands mostly wait on the
    # slow server's timers, not on the CPU.
    run bash -c 'printf "%s\0" "$@" | xargs -0 -n 1 -P 4 "$0" --check' "$DOCS" \
        "$TOP"/chapters/[0-9][0-9]-*/README.md "$TOP"/slides/[0-9][0-9]-*.md
    echo "$output"
    [ "$status" -eq 0 ]
}

@test "no chapter README or deck shows program output without a marker" {
    run "$DOCS" --unmarked "$TOP"/chapters/[0-9][0-9]-*/README.md "$TOP"/slides/[0-9][0-9]-*.md
    echo "$output"
    [ "$status" -eq 0 ]
    [ -z "$output" ]
}

@test "every chapter README has at least two output blocks" {
    for readme in "$TOP"/chapters/[0-9][0-9]-*/README.md; do
        n=$(grep -cE '^[[:space:]]*<!-- output( slow)?: ' "$readme") || true
        [ "$n" -ge 2 ] || { echo "$readme: $n output blocks"; false; }
    done
}

# prose_words FILE: the words a reader reads as prose, outside fenced blocks
# (code and output) and HTML comments (the markers); a table's words count,
# its bars and a heading's # do not.
prose_words() {
    awk '
        /^[[:space:]]*(```|~~~)/ { fence = !fence; next }
        fence { next }
        {
            line = $0; text = ""
            while (1) {
                if (comment) { i = index(line, "-->"); if (!i) break; line = substr(line, i + 3); comment = 0 }
                i = index(line, "<!--"); if (!i) { text = text " " line; break }
                text = text " " substr(line, 1, i - 1); line = substr(line, i + 4); comment = 1
            }
            m = split(text, words, " ")
            for (j = 1; j <= m; j++) if (words[j] ~ /[[:alnum:]]/) n++
        }
        END { print n + 0 }' "$1"
}

@test "prose_words counts words outside code blocks and comments" {
    scratch '# A title' 'one two <!-- code: x.c#f() --> three' '```c' 'int not_counted;' '```' \
        '<!-- a comment' 'over lines --> four' '| a | b |'
    [ "$(prose_words "$BATS_TEST_TMPDIR/ch/README.md")" -eq 8 ]
}

@test "a chapter README reads in one sitting: at most 2,000 words of prose" {
    over=0
    for readme in "$TOP"/chapters/[0-9][0-9]-*/README.md; do
        n=$(prose_words "$readme")
        echo "$n ${readme#"$TOP"/}"
        [ "$n" -le 2000 ] || { echo "  over 2,000 words of prose"; over=1; }
    done
    [ "$over" -eq 0 ]
}

@test "the top README reads in five minutes: at most 1,200 words of prose" {
    n=$(prose_words "$TOP/README.md")
    echo "$n words of prose in README.md"
    [ "$n" -le 1200 ]
}

# code_blocks FILE...: every <!-- code: PATH#NAME() --> or
# <!-- code: PATH#struct NAME --> marker of a README must be followed by a
# block that is that whole function or struct of PATH (from the repository
# root), as kit-check reads one: from its first line to its closing brace,
# without /* slide:... */ and /* end slide */ lines. Prints each mismatch.
code_blocks() {
    awk -v top="$TOP" '
        function extract(path, name,    file, line, inside, out, isstruct, marker) {
            file = top "/" path; out = ""; found = 0
            marker = "^[ \t]*/\\* (slide:[A-Za-z0-9_-]+|end slide) \\*/[ \t]*$"
            isstruct = name ~ /^struct /
            sub(/^struct /, "", name); sub(/\(\)$/, "", name)
            while ((getline line < file) > 0) {
                if (!inside && isstruct && line ~ ("^struct " name " \\{[ \t]*$")) inside = 1
                if (!inside && !isstruct && line ~ /^[A-Za-z]/ && line ~ ("[ *]" name "\\(") && line !~ /;[ \t]*$/) inside = 1
                if (inside && line !~ marker) out = out line "\n"
                if (inside && line ~ (isstruct ? "^};" : "^}")) { found = 1; break }
            }
            close(file)
            return out
        }
        FNR == 1 { state = "" }
        state == "fence" {
            if ($0 !~ /^```/) { print FILENAME ":" mline ": the marker is not followed by a block"; state = "" }
            else { state = "in"; block = ""; next }
        }
        state == "in" {
            if ($0 !~ /^```[ \t]*$/) { block = block $0 "\n"; next }
            if (!found) print FILENAME ":" mline ": " what ": no such function or struct"
            else if (block != want) print FILENAME ":" mline ": " what ": the block is not the code"
            state = ""; next
        }
        /^<!-- code: [^ #]+#(struct [A-Za-z0-9_]+|[A-Za-z0-9_]+\(\)) -->[ \t]*$/ {
            what = $0; sub(/^<!-- code: /, "", what); sub(/ -->[ \t]*$/, "", what)
            path = what; sub(/#.*/, "", path); name = what; sub(/^[^#]*#/, "", name)
            want = extract(path, name); mline = FNR; state = "fence"
        }' "$@"
}

@test "a README's code marker is followed by that whole function or struct, exactly" {
    run code_blocks "$TOP/README.md" "$TOP"/chapters/[0-9][0-9]-*/README.md
    echo "$output"
    [ -z "$output" ]
    # And it can fail: a block that is not the code, and a name not there.
    scratch '<!-- code: common/fetch.c#fetch_blocking() -->' '```c' 'int fetch_blocking(void);' '```' \
        '<!-- code: common/fetch.c#no_such_function() -->' '```c' '```'
    run code_blocks "$BATS_TEST_TMPDIR/ch/README.md"
    [[ ${lines[0]} == *"README.md:1: common/fetch.c#fetch_blocking(): the block is not the code" ]]
    [[ ${lines[1]} == *"README.md:5: common/fetch.c#no_such_function(): no such function or struct" ]]
}

# A chapter folder of our own, so the tests below never touch a real README.
scratch() {
    mkdir -p "$BATS_TEST_TMPDIR/ch"
    printf '%s\n' "$@" > "$BATS_TEST_TMPDIR/ch/README.md"
}

@test "a block becomes its command's output, run in the file's folder, loopback ports masked" {
    scratch '# t' 'text' '<!-- output: printf "%s\n" "$(basename "$PWD")" "http://127.0.0.1:43210/x  " "http://127.0.0.1:1/" "[::1]:8080" -->' \
        '```' 'old' 'lines' '```' 'after'
    run "$DOCS" "$BATS_TEST_TMPDIR/ch/README.md"
    [ "$status" -eq 0 ]
    expected=$(printf '%s\n' '# t' 'text' \
        '<!-- output: printf "%s\n" "$(basename "$PWD")" "http://127.0.0.1:43210/x  " "http://127.0.0.1:1/" "[::1]:8080" -->' \
        '```' 'ch' 'http://127.0.0.1:PORT/x' 'http://127.0.0.1:1/' '[::1]:PORT' '```' 'after')
    [ "$(cat "$BATS_TEST_TMPDIR/ch/README.md")" = "$expected" ]
}

@test "a deck's commands run in its chapter's folder, even when the deck is named by a relative path" {
    mkdir -p "$BATS_TEST_TMPDIR/slides"
    printf '%s\n' '<!-- output: basename "$PWD" -->' '```' 'old' '```' > "$BATS_TEST_TMPDIR/slides/01-blocking.md"
    cd "$BATS_TEST_TMPDIR"
    run "$DOCS" slides/01-blocking.md
    [ "$status" -eq 0 ]
    [ "$(sed -n 3p slides/01-blocking.md)" = 01-blocking ]
}

@test "a marker without a block, or whose command does not run, is an error naming file and line" {
    scratch '# t' '<!-- output: echo hi -->' 'no block here' '<!-- output: no-such-command-here -->' '```' 'kept' '```'
    cp "$BATS_TEST_TMPDIR/ch/README.md" "$BATS_TEST_TMPDIR/before"
    run --separate-stderr "$DOCS" "$BATS_TEST_TMPDIR/ch/README.md"
    [ "$status" -eq 1 ]
    [[ ${stderr_lines[0]} == *"/ch/README.md:2: the marker is not followed by a \`\`\` block" ]]
    [[ ${stderr_lines[1]} == *"/ch/README.md:4: no-such-command-here: does not run in "*"(exit 127"* ]]
    cmp "$BATS_TEST_TMPDIR/ch/README.md" "$BATS_TEST_TMPDIR/before"
}

@test "--check: numbers and bar lengths may move, anything else is stale" {
    scratch '<!-- output: echo "total 1.25 s"; echo " 1 |#####     | 0.13 s" -->' '```' 'total 0.98 s' ' 1 |  ###     | 0.10 s' '```'
    run "$DOCS" --check "$BATS_TEST_TMPDIR/ch/README.md"
    [ "$status" -eq 0 ]
    scratch '<!-- output: echo "total 1.25 s"; echo "failed" -->' '```' 'total 1.25 s' '```'
    run "$DOCS" --check "$BATS_TEST_TMPDIR/ch/README.md"
    [ "$status" -eq 1 ]
    [[ $output == *"the block is stale in shape"* ]]
    scratch '<!-- output slow: exit 3 -->' '```' 'not run' '```'
    run "$DOCS" --check "$BATS_TEST_TMPDIR/ch/README.md"
    [ "$status" -eq 0 ]
}

@test "--unmarked finds a result table or a timeline without a marker, not other blocks" {
    scratch '```' '  #  status    bytes   start     end  url' '```' '' '```c' 'int main(void);' '```' '' \
        '<!-- output: true -->' '```' 'timeline: one column = 10 ms' '```' '```' 'timeline: one column = 10 ms' '```'
    run "$DOCS" --unmarked "$BATS_TEST_TMPDIR/ch/README.md"
    [ "$status" -eq 1 ]
    [ "${#lines[@]}" -eq 2 ]
    [[ ${lines[0]} == *"README.md:1: output block without a"* ]]
    [[ ${lines[1]} == *"README.md:13: output block without a"* ]]
}

@test "every chapter README ends with what it builds on and links to the previous and next chapter" {
    for readme in "$TOP"/chapters/[0-9][0-9]-*/README.md; do
        tail -n 8 "$readme" | grep -q '^Builds on ' || { echo "$readme: no 'Builds on'"; false; }
        # The last chapter's "next" is the book's start, ../../README.md.
        tail -n 3 "$readme" | grep -qE '^Previous: \[.*\]\(\.\./.*\) · Next: \[.*\]\(\.\./([0-9][0-9]-[a-z-]+/|\.\./README\.md)\)$' ||
            { echo "$readme: no 'Previous: ... · Next: ...' line at the end"; false; }
    done
    # Every ../NN-name/ link names a chapter that is there (14 is being written).
    bad=$(grep -ohE '\]\(\.\./[0-9][0-9]-[a-z-]+/\)' "$TOP"/chapters/*/README.md | sort -u |
        sed -E 's/^\]\(\.\.\/(.*)\/\)$/\1/' | while read -r target; do
            [ -d "$TOP/chapters/$target" ] || [ "$target" = 14-completion ] || echo "../$target/"
        done)
    [ -z "$bad" ] || { echo "links to folders that are not chapters: $bad"; false; }
}

@test "the top README defines the glossary's terms and names its sources" {
    glossary=$(sed -n '/^## Glossary$/,/^## /p' "$TOP/README.md")
    for term in 'file descriptor' blocking non-blocking EINTR 'EAGAIN / EWOULDBLOCK' EINPROGRESS \
                SO_ERROR FD_SETSIZE backlog 'RSS and PSS' reactor proactor callback 'deferred and future' \
                coroutine loopback 'ephemeral port'; do
        grep -qE "^- \*\*$term" <<<"$glossary" || { echo "glossary: no entry for $term"; false; }
    done
    sources=$(sed -n '/^## Sources$/,$p' "$TOP/README.md")
    for name in McConnell Jullien Reid Sangiovanni Tushman Stevens Bryant C10K; do
        grep -q "$name" <<<"$sources" || { echo "sources: no $name"; false; }
    done
}

@test "make demo: every timeline on one scale, and a line on the chapters not in the table" {
    run "$TOP/tests/bin/demo"
    [ "$status" -eq 0 ]
    scales=$(grep '^timeline: one column = ' <<<"$output" | sort -u)
    [ "$scales" = "timeline: one column = 30 ms" ]
    [ "$(grep -c '^timeline: one column = ' <<<"$output")" -ge 2 ]
    [[ ${lines[-1]} == "Not in the table: 04 (races, no fetcher), "*"make compare." ]]
    # Where bar 4 ends: the staircase's at 1.25 s, a wall's at 0.5 s, so on
    # one scale the staircase reaches at least twice as far.
    end_of_bar4() { sed -n "/^==== $1\$/,/^====/p" <<<"$output" | grep '^ 4 |' | sed -E 's/^ 4 \|([ #]*#).*/\1/' | wc -c; }
    staircase=$(end_of_bar4 01-blocking)
    wall=$(end_of_bar4 02-threads)
    echo "bar 4 ends at column $staircase (blocking), $wall (threads)"
    [ "$wall" -ge 10 ]
    [ "$staircase" -ge $((wall * 2)) ]
}
