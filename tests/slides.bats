#!/usr/bin/env bats
# The slides: every deck's code blocks match the sources they name
# (slides/bin/slides), a marker that points at nothing is an error, and the
# viewer (slides/index.html, embedded by slides/bin/present) shows a deck and
# moves through it in a real headless Chromium, when one is installed.

load helpers

@test "every deck and chapter README is up to date with its sources (else: make slides)" {
    mkdir "$BATS_TEST_TMPDIR/decks"
    run "$TOP/slides/bin/slides" -o "$BATS_TEST_TMPDIR/decks"
    [ "$status" -eq 0 ]
    n=0
    for f in "$TOP"/slides/*.md "$TOP"/chapters/*/README.md; do
        diff -u "$f" "$BATS_TEST_TMPDIR/decks/${f#"$TOP"/}"
        n=$((n + 1))
    done
    [ "$n" -gt 28 ]
}

@test "a function, a struct or a region is copied exactly, indentation included" {
    mkdir -p "$TOP/build/test-slides"
    src="$TOP/build/test-slides/src.c"
    printf '%s\n' '/* t */' 'struct pair {' '    int a, b;   /* two */' '};' '' \
        'static int add(struct pair p)' '{' '    /* slide:body */' '    return p.a + p.b;' \
        '    /* end slide */' '}' > "$src"
    printf '# t\n<!-- code: %s#add() -->\n```c\nold\n```\n' build/test-slides/src.c > "$BATS_TEST_TMPDIR/t.md"
    printf '<!-- code: %s#struct pair emphasis=1|2 -->\n```c\n```\n' build/test-slides/src.c >> "$BATS_TEST_TMPDIR/t.md"
    printf '<!-- code: %s#body -->\n```c\n```\n' build/test-slides/src.c >> "$BATS_TEST_TMPDIR/t.md"
    run "$TOP/slides/bin/slides" "$BATS_TEST_TMPDIR/t.md"
    [ "$status" -eq 0 ]
    expected=$(printf '%s\n' '# t' "<!-- code: build/test-slides/src.c#add() -->" \
        '```c' 'static int add(struct pair p)' '{' '    return p.a + p.b;' '}' '```' \
        "<!-- code: build/test-slides/src.c#struct pair emphasis=1|2 -->" \
        '```c' 'struct pair {' '    int a, b;   /* two */' '};' '```' \
        "<!-- code: build/test-slides/src.c#body -->" '```c' '    return p.a + p.b;' '```')
    [ "$(cat "$BATS_TEST_TMPDIR/t.md")" = "$expected" ]
}

@test "a marker may name a kit patch: the function is taken from the file the patch makes" {
    p=chapters/14-completion/solutions/3-ownership.patch
    printf '# t\n<!-- code: %s#queue_get() -->\n```c\nold\n```\n' "$p" > "$BATS_TEST_TMPDIR/t.md"
    run "$TOP/slides/bin/slides" "$BATS_TEST_TMPDIR/t.md"
    [ "$status" -eq 0 ]
    "$TOP/tests/bin/kit-apply" "$TOP/$p" "$BATS_TEST_TMPDIR/solution.c"
    want=$(sed -n '/^static int queue_get(/,/^}/p' "$BATS_TEST_TMPDIR/solution.c")
    [ -n "$want" ]
    [ "$(sed -n '/^```c$/,/^```$/p' "$BATS_TEST_TMPDIR/t.md" | sed '1d;$d')" = "$want" ]
    # The solution's function, not the starter's.
    "$TOP/tests/bin/kit-apply" --base "$TOP/$p" "$BATS_TEST_TMPDIR/starter.c"
    [ "$(sed -n '/^static int queue_get(/,/^}/p' "$BATS_TEST_TMPDIR/starter.c")" != "$want" ]
    printf '# t\n<!-- code: chapters/14-completion/solutions/nothing.patch#f() -->\n```c\n```\n' > "$BATS_TEST_TMPDIR/u.md"
    run "$TOP/slides/bin/slides" "$BATS_TEST_TMPDIR/u.md"
    [ "$status" -ne 0 ]
    [[ $output == *"nothing.patch#f(): no such file"* ]]
}

# cut_regions FILE...: FILE:LINE: for each slide marker inside braces (in a
# function's body, or a struct's); braces in strings and comments do not count.
cut_regions() {
    awk 'FNR == 1 { depth = 0; incomment = 0 }
        {
            line = $0
            if (line ~ /^[ \t]*\/\* (slide:[A-Za-z0-9_-]+|end slide) \*\/[ \t]*$/ && depth > 0)
                print FILENAME ":" FNR ": " line
            gsub(/"([^"\\]|\\.)*"/, "", line)
            gsub(/'"'"'([^'"'"'\\]|\\.)*'"'"'/, "", line)
            gsub(/\/\*([^*]|\*[^\/])*\*\//, "", line)
            sub(/\/\/.*/, "", line)
            if (incomment) {
                if (line !~ /\*\//) next
                sub(/.*\*\//, "", line)
                incomment = 0
            }
            if (line ~ /\/\*/) { sub(/\/\*.*/, "", line); incomment = 1 }
            depth += gsub(/\{/, "{", line) - gsub(/\}/, "}", line)
        }' "$@"
}

@test "no slide region starts or ends inside a function body (or any braces)" {
    files=()
    for f in "$TOP"/chapters/*/*.[ch] "$TOP"/common/*.[ch]; do
        files+=("$f")
    done
    [ "${#files[@]}" -gt 20 ]
    run cut_regions "${files[@]}"
    [ "$status" -eq 0 ]
    [ -z "$output" ] || { echo "regions cut inside a function:"; echo "$output"; false; }
    # The kit (whole starters and patches) carries no slide marker at all.
    kit=$(cd "$TOP" && git ls-files 'chapters/*/exercises/*.[ch]' 'chapters/*/exercises/*.patch' 'chapters/*/solutions/*')
    [ -n "$kit" ]
    marked=$(cd "$TOP" && grep -nE '^[-+ ]?[ \t]*/\* (slide:[A-Za-z0-9_-]+|end slide) \*/' $kit || true)
    [ -z "$marked" ] || { echo "slide markers in the kit:"; echo "$marked"; false; }
    # and the check sees one
    printf '%s\n' 'int f(void)' '{' '    /* slide:x */' '    return 0;' '    /* end slide */' '}' > "$BATS_TEST_TMPDIR/cut.c"
    run cut_regions "$BATS_TEST_TMPDIR/cut.c"
    [ "${lines[0]}" = "$BATS_TEST_TMPDIR/cut.c:3:     /* slide:x */" ]
    [ "${lines[1]}" = "$BATS_TEST_TMPDIR/cut.c:5:     /* end slide */" ]
}

@test "a marker that points at nothing names the deck, line, path and region" {
    deck="$BATS_TEST_TMPDIR/bad.md"
    printf '%s\n' '# bad' '<!-- code: common/fetch.c#nope -->' '```c' '```' \
        '<!-- code: common/nothere.c#x -->' '```c' '```' \
        '<!-- code: common/fetch.c#nope() -->' '```c' '```' '<!-- code: common/fetch.c#struct nope -->' '```c' '```' > "$deck"
    cp "$deck" "$BATS_TEST_TMPDIR/before.md"
    run --separate-stderr "$TOP/slides/bin/slides" "$deck"
    [ "$status" -eq 1 ]
    [ "${stderr_lines[0]}" = "$deck:2: common/fetch.c#nope: no region /* slide:nope */ in common/fetch.c" ]
    [ "${stderr_lines[1]}" = "$deck:5: common/nothere.c#x: no such file" ]
    [ "${stderr_lines[2]}" = "$deck:8: common/fetch.c#nope(): no function nope() in common/fetch.c" ]
    [ "${stderr_lines[3]}" = "$deck:11: common/fetch.c#struct nope: no struct nope in common/fetch.c" ]
    cmp "$deck" "$BATS_TEST_TMPDIR/before.md"   # a failed deck is left alone
}

@test "present embeds a deck exactly, and the page loads nothing from outside" {
    run "$TOP/slides/bin/present" 01
    [ "$status" -eq 0 ]
    [ "$output" = "file://$TOP/build/slides/01-blocking.html" ]
    page="$TOP/build/slides/01-blocking.html"
    sed -n '/^<textarea class="deck" data-name="01-blocking" data-open hidden>$/,/^<\/textarea>$/p' "$page" |
        sed -e '1d' -e '$d' -e 's/&lt;/</g' -e 's/&amp;/\&/g' > "$BATS_TEST_TMPDIR/deck.md"
    cmp "$BATS_TEST_TMPDIR/deck.md" "$TOP/slides/01-blocking.md"
    # The viewer's own markup loads nothing; the deck in it is text, where
    # url( may well be C (parse_url(...)).
    sed '/^<textarea class="deck"/,/^<\/textarea>$/d' "$page" > "$BATS_TEST_TMPDIR/viewer.html"
    not grep -Eiq '<script[^>]* src=|<link |@import|url\([^#]' "$BATS_TEST_TMPDIR/viewer.html"   # url(#id): inside the page
    # Its pictures are inside it, as SVG, and no picture points elsewhere.
    grep -q '^<template data-src="img/01-timeline.svg">$' "$page"
    not grep -Eq '<(img|image|use|script|foreignObject)[ >]|href=' "$TOP"/slides/img/*.svg
    run "$TOP/slides/bin/present" 99
    [ "$status" -eq 2 ]
}

# ---- the viewer, in a headless browser -----------------------------------

browser() {
    local b
    for b in chromium chromium-browser google-chrome; do
        command -v "$b" && return 0
    done
    return 1
}

# dom URL: the page's DOM once its scripts have run.
dom() {
    timeout 90 "$(browser)" --headless --no-sandbox --disable-gpu --disable-quic \
        --no-first-run --disable-background-networking --disable-component-update \
        --disable-sync --user-data-dir="$BATS_TEST_TMPDIR/profile" \
        --virtual-time-budget=3000 --dump-dom "$1" 2>/dev/null
}

counter() { grep -o '<span id="counter">[^<]*</span>' <<<"$output" | sed 's/<[^>]*>//g'; }

# How many slides the viewer makes of the decks given (deck 01 by default):
# lines "---" outside code blocks, plus one a deck, plus one for each
# <!-- continued --> line and each cut of a marker's split=N[,M].
slide_count() {
    [ $# -gt 0 ] || set -- "$TOP/slides/01-blocking.md"
    awk 'FNR == 1 { n++ }
        /^```/ { code = !code }
        !code && /^---[ \t]*$/ { n++ }
        !code && /^<!-- *continued *-->[ \t]*$/ { n++ }
        !code && /^<!-- .* split=[0-9,]+( .*)? -->/ { s = $0; sub(/.* split=/, "", s); sub(/[^0-9,].*/, "", s); n += split(s, cuts, ",") }
        END { print n }' "$@"
}

setup_viewer() {
    browser >/dev/null || skip "no chromium installed (apt-get install chromium)"
    "$TOP/slides/bin/present" 01 >/dev/null
    PAGE="file://$TOP/build/slides/01-blocking.html"
    N=$(slide_count)
}

@test "viewer: shows the first slide's title and 1 / N" {
    setup_viewer
    run dom "$PAGE"
    [[ $output == *'<section class="slide title-slide current"><h1>01 · Blocking: one page at a time</h1>'* ]]
    [ "$(counter)" = "1 / $N" ]
}

@test "viewer: the Right arrow key moves to slide 2, End to the last, Left back" {
    setup_viewer
    run dom "$PAGE?keys=Right"
    [ "$(counter)" = "2 / $N" ]
    [[ $output == *'<section class="slide current"><h2>The job</h2>'* ]]
    run dom "$PAGE?keys=End,Left,PageUp,Space"
    [ "$(counter)" = "$((N - 1)) / $N" ]
}

@test "viewer: #3 opens slide 3; Home goes back to 1; 5 then Enter goes to 5" {
    setup_viewer
    run dom "$PAGE#3"
    [ "$(counter)" = "3 / $N" ]
    run dom "$PAGE?keys=Home#4"
    [ "$(counter)" = "1 / $N" ]
    run dom "$PAGE?keys=5,Enter#2"
    [ "$(counter)" = "5 / $N" ]
}

@test "viewer: the picker lists every deck by its title; a deck it cannot fetch says why" {
    setup_viewer
    "$TOP/slides/bin/present" >/dev/null
    run dom "file://$TOP/build/slides/index.html"
    for deck in "$TOP"/slides/[0-9]*.md; do
        name=$(basename "$deck" .md)
        title=$(sed -n 's/^# //p;q' "$deck" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g')
        [[ $output == *"<a href=\"?deck=$name\">$title</a>"* ]]
    done
    run dom "file://$TOP/slides/index.html?deck=01-blocking"
    [[ $output == *"Could not load 01-blocking.md"*"make present"* ]]
}

# check SIZE: the viewer's own report on every slide of every deck, measured
# in a frame of SIZE (a headless window's viewport is smaller than the window).
check() {
    timeout 120 "$(browser)" --headless --no-sandbox --disable-gpu --disable-quic \
        --no-first-run --disable-background-networking --disable-component-update \
        --disable-sync --user-data-dir="$BATS_TEST_TMPDIR/profile" --window-size=2600,1500 \
        --virtual-time-budget=10000 --dump-dom "file://$TOP/build/slides/index.html?check=$1" 2>/dev/null |
        sed -n '/<pre id="check-report">/,/<\/pre>/p'
}

@test "every slide of every deck fits, code at 3% of the height or more, diagrams, tables and output at 2.5%, at 800x600, 1024x768, 1280x720, 1920x1080 and 2560x1440, with nothing letterboxed" {
    browser >/dev/null || skip "no chromium installed (apt-get install chromium): the slides' fit is not checked"
    "$TOP/slides/bin/present" >/dev/null
    slides=$(slide_count "$TOP"/slides/[0-9]*.md)
    failed=0
    for size in 800x600 1024x768 1280x720 1920x1080 2560x1440; do
        report=$(check "$size")
        grep -q "^window $size\$" <<<"$report" || { echo "no report at $size"; failed=1; continue; }
        grep -q "^checked $slides slides, " <<<"$report" || { echo "at $size: not $slides slides:"; grep '^checked' <<<"$report"; failed=1; }
        grep -q '^canvas [0-9]*x720, 0\.0% of the window black$' <<<"$report" || { echo "at $size:"; grep '^canvas' <<<"$report"; failed=1; }
        fails=$(grep '^FAIL' <<<"$report" || true)
        [ -z "$fails" ] || { echo "at $size:"; echo "$fails"; failed=1; }
        # code at 3%: 23 px or more at 1024x768 (3% is 23.04)
        code=$(sed -n 's/^smallest code \([0-9.]*\)px.*/\1/p' <<<"$report")
        h=${size#*x}
        awk -v c="$code" -v h="$h" 'BEGIN { exit !(c >= 0.03 * h - 0.05) }' || { echo "at $size: code $code px"; failed=1; }
    done
    [ "$failed" -eq 0 ]
}

@test "the fit check fails naming the slide and the size" {
    browser >/dev/null || skip "no chromium installed (apt-get install chromium)"
    mkdir -p "$BATS_TEST_TMPDIR/slides"
    { printf '# too long\n\n---\n\n## code\n\n```c\n'; seq 40; printf '```\n'; } > "$BATS_TEST_TMPDIR/99-long.md"
    sed '/^<!-- decks -->$/q' "$TOP/slides/index.html" > "$BATS_TEST_TMPDIR/page.html"
    printf '<textarea class="deck" data-name="99-long" hidden>\n' >> "$BATS_TEST_TMPDIR/page.html"
    cat "$BATS_TEST_TMPDIR/99-long.md" >> "$BATS_TEST_TMPDIR/page.html"
    printf '</textarea>\n' >> "$BATS_TEST_TMPDIR/page.html"
    sed '1,/^<!-- decks -->$/d' "$TOP/slides/index.html" >> "$BATS_TEST_TMPDIR/page.html"
    run timeout 60 "$(browser)" --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$BATS_TEST_TMPDIR/profile" --virtual-time-budget=5000 \
        --dump-dom "file://$BATS_TEST_TMPDIR/page.html?check=1024x768"
    [[ $output == *"window 1024x768"* ]]
    [[ $output == *"FAIL 99-long#2: pre sticks out by"* ]]
    [[ $output == *"checked 2 slides, 1 failed"* ]]
}

@test "the presenter view follows the audience window, and the audience follows it (from file://)" {
    setup_viewer
    run dom "$PAGE?synctest"
    [[ $output == *'<pre id="sync-report">presenter followed to 3; audience followed to 4; the presenter'"'"'s panes are '* ]]
    # the presenter draws its panes in the audience's shape, whatever its own
    sizes=$(sed -n 's/.*the presenter.s panes are \([0-9]*\) wide, the audience.s canvas \([0-9]*\)<.*/\1 \2/p' <<<"$output")
    [ -n "$sizes" ]
    set -- $sizes
    [ "$1" = "$2" ]
}

@test "the presenter view shows the notes, the next slide and a clock; the audience sees no notes" {
    setup_viewer
    run dom "$PAGE?presenter#2"
    [[ $output == *'<body class="presenter">'* ]]
    [[ $output == *'<div id="p-clock">'[0-9][0-9]:[0-9][0-9]:[0-9][0-9]'</div>'* ]]
    [[ $output == *'<div class="pane" id="p-next-box" style="aspect-ratio: 1280 / 720;"><section class="slide'* ]]
    grep -q '^???$' "$TOP/slides/01-blocking.md" || skip "deck 01 has no notes yet"
    not grep -q '<div id="p-notes"><p>(no notes)</p>' <<<"$output"
}

@test "print: one landscape page per slide (make handouts)" {
    browser >/dev/null || skip "no chromium installed (apt-get install chromium)"
    command -v pdfinfo >/dev/null || skip "no pdfinfo (apt-get install poppler-utils)"
    run "$TOP/slides/bin/handouts" 01
    [ "$status" -eq 0 ]
    pdf="$TOP/build/slides/01-blocking.pdf"
    [ "$output" = "handouts: ${pdf#"$TOP"/}" ]
    info=$(pdfinfo "$pdf")
    [ "$(awk '/^Pages:/ { print $2 }' <<<"$info")" -eq "$(slide_count)" ]
    awk '/^Page size:/ { exit !($3 > $5) }' <<<"$info"   # wider than high
}

@test "gantt-svg draws one bar per result line, to scale, failures in red, from what it was given" {
    input='  #  status    bytes   start     end  url
  1  200        1024   0.000   0.250  http://127.0.0.1:40000/slow?delay=0.25
  2  error         0   0.250   0.250  http://127.0.0.1:1/  (connect 127.0.0.1:1: Connection refused)
  3  200        1024   0.250   1.000  http://127.0.0.1:40000/slow?delay=0.75
blocking: 2 fetched, 1 failed, 2048 bytes in 1.000 s'
    run "$TOP/slides/bin/gantt-svg" <<<"$input"
    [ "$status" -eq 0 ]
    [ "$(grep -c '<rect x=' <<<"$output")" -eq 3 ]
    w1=$(grep '<title>1 ' <<<"$output" | sed 's/.* width="\([0-9.]*\)".*/\1/')
    w3=$(grep '<title>3 ' <<<"$output" | sed 's/.* width="\([0-9.]*\)".*/\1/')
    [ "$(awk -v a="$w1" -v b="$w3" 'BEGIN { print (b > 2.9 * a && b < 3.1 * a) }')" -eq 1 ]
    grep '<title>2 ' <<<"$output" | grep -q 'fill="#b3261e"'
    [[ $output == *"blocking: 2 fetched, 1 failed, 2048 bytes in 1.000 s</text>"* ]]
    [[ $output == *"127.0.0.1:PORT/slow?delay=0.75"* ]]
    run "$TOP/slides/bin/gantt-svg" <<<"no table here"
    [ "$status" -eq 1 ]
}

@test "every timeline marker on a deck has its picture, drawn by gantt-svg from a run (so make slides draws none)" {
    n=0
    for deck in "$TOP"/slides/[0-9]*.md; do
        while read -r pic; do
            n=$((n + 1))
            grep -q '^<desc>Drawn by slides/bin/gantt-svg from these lines of a real run:$' "$TOP/slides/$pic"
        done < <(grep -A1 '^<!-- timeline: ' "$deck" | grep -o 'img/[A-Za-z0-9._-]*\.svg')
    done
    [ "$n" -ge 8 ]
}

@test "viewer: a click advances; O shows the overview grid; B blacks out, and a click ends it" {
    setup_viewer
    run dom "$PAGE?keys=Click,Click#2"
    [ "$(counter)" = "4 / $N" ]
    run dom "$PAGE?keys=o#3"
    [[ $output == *'<body class="overview">'* ]]
    [ "$(grep -o '<div class="thumb' <<<"$output" | wc -l)" -eq "$N" ]
    [[ $output == *'<div class="thumb current">'*'<span class="num">3 / '* ]]
    run dom "$PAGE?keys=b"
    [[ $output == *'<body class="blackout">'* ]]
    run dom "$PAGE?keys=b,Click"
    [[ $output == *'<body class="">'* ]]
    [ "$(counter)" = "1 / $N" ]   # the click that ends a blackout does not advance
}

@test "viewer: ** around inline code is bold, and no slide shows a literal **" {
    setup_viewer
    "$TOP/slides/bin/present" 02 >/dev/null
    run dom "file://$TOP/build/slides/02-threads.html"
    [[ $output == *'<strong>The main thread reads only after <code>pthread_join</code></strong>'* ]]
    not grep -q '\*\*' <<<"$(sed -n '/<div id="stage">/,/<div id="overview">/p' <<<"$output")"
}

# A measured timeline: a fixed result table stands for the run.
timeline_deck() {
    mkdir -p "$BATS_TEST_TMPDIR/decks/img"
    printf '%s\n' '  #  status    bytes   start     end  url' \
        '  1  200        1024   0.000   0.251  http://127.0.0.1:8000/slow?delay=0.25' \
        '  2  200        1024   0.000   0.501  http://127.0.0.1:8000/slow?delay=0.5' \
        'threads: 2 fetched, 0 failed, 2048 bytes in 0.501 s' > "$BATS_TEST_TMPDIR/table"
    deck="$BATS_TEST_TMPDIR/decks/02-threads.md"
    printf '%s\n' '# t' \
        "<!-- timeline: echo ran >> $BATS_TEST_TMPDIR/ran.have; cat $BATS_TEST_TMPDIR/table -->" \
        '![drawn](img/have.svg)' '---' \
        "<!-- timeline: cat $BATS_TEST_TMPDIR/table -->" '![drawn](img/new.svg)' > "$deck"
    echo old > "$BATS_TEST_TMPDIR/decks/img/have.svg"
}

@test "timelines --missing (make slides) draws a missing picture and leaves a drawn one alone" {
    timeline_deck
    run "$TOP/slides/bin/timelines" --missing "$deck"
    [ "$status" -eq 0 ]
    [ "$(cat "$BATS_TEST_TMPDIR/decks/img/have.svg")" = old ]
    [ ! -e "$BATS_TEST_TMPDIR/ran.have" ]          # its command did not even run
    grep -q '^<svg ' "$BATS_TEST_TMPDIR/decks/img/new.svg"
    grep -q 'threads: 2 fetched, 0 failed, 2048 bytes in 0.501 s</text>' "$BATS_TEST_TMPDIR/decks/img/new.svg"
    grep -q 'http://127.0.0.1:PORT/slow?delay=0.5' "$BATS_TEST_TMPDIR/decks/img/new.svg"
}

@test "timelines (make timelines) redraws every picture from a fresh run" {
    timeline_deck
    run "$TOP/slides/bin/timelines" "$deck"
    [ "$status" -eq 0 ]
    [ -e "$BATS_TEST_TMPDIR/ran.have" ]
    grep -q '^<svg ' "$BATS_TEST_TMPDIR/decks/img/have.svg"
    [ "${lines[0]}" = "timelines: $BATS_TEST_TMPDIR/decks/img/have.svg (echo ran >> $BATS_TEST_TMPDIR/ran.have; cat $BATS_TEST_TMPDIR/table)" ]
}

@test "timelines: a marker without a picture, or a command without a table, names deck and line" {
    deck="$BATS_TEST_TMPDIR/01-blocking.md"
    printf '%s\n' '# t' '<!-- timeline: true -->' 'text' '<!-- timeline: echo nothing -->' '![x](img/x.svg)' > "$deck"
    run --separate-stderr "$TOP/slides/bin/timelines" "$deck"
    [ "$status" -eq 1 ]
    [ "${stderr_lines[0]}" = "timelines: $deck:2: the marker is not followed by a ![...](img/FILE.svg) line" ]
    [ "${stderr_lines[1]}" = "timelines: $deck:4: echo nothing printed no result table" ]
    [ ! -e "$BATS_TEST_TMPDIR/img/x.svg" ]
    run "$TOP/slides/bin/timelines" --bogus
    [ "$status" -eq 2 ]
}

# page DECK.md: a viewer page with that deck inside it, opened at once.
page() {
    local out="$BATS_TEST_TMPDIR/page.html"
    sed '/^<!-- decks -->$/q' "$TOP/slides/index.html" > "$out"
    printf '<textarea class="deck" data-name="%s" data-open hidden>\n' "$(basename "$1" .md)" >> "$out"
    sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' "$1" >> "$out"
    printf '</textarea>\n' >> "$out"
    sed '1,/^<!-- decks -->$/d' "$TOP/slides/index.html" >> "$out"
    echo "file://$out"
}

steps_deck() {
    printf '%s\n' '# steps' '---' '## A list' '<!-- steps -->' '- one' '- two' '- three' '---' \
        '## A walk' '<!-- code: x.c#f() emphasis=1|3-4|6 -->' '```c' 'int f(void)' '{' \
        '    int a = 1;' '    int b = 2;' '    return a' '        + b;' '}' '```' '???' 'the notes of the walk' \
        > "$BATS_TEST_TMPDIR/98-steps.md"
    page "$BATS_TEST_TMPDIR/98-steps.md"
}

shown() { grep -o '<li class="step shown">' <<<"$output" | wc -l; }
marked() {
    local stage=${output#*<div id=\"stage\">}
    stage=${stage%%<div id=\"overview\">*}
    grep -o '<span class="line[^"]*"' <<<"$stage" | grep -cE '[" ]em[" ]' || true
}

@test "steps: a list item, then a code walk's next lines, a key press each; Left goes back a step; #2.2 opens at step 2" {
    browser >/dev/null || skip "no chromium installed (apt-get install chromium)"
    url=$(steps_deck)
    run dom "$url#2"
    [ "$(shown)" -eq 0 ]
    [ "$(counter)" = "2 / 3 · step 0 of 3" ]
    run dom "$url?keys=Right,Right#2"
    [ "$(shown)" -eq 2 ]
    run dom "$url?keys=Right,Right,Right,Right#2"
    [ "$(counter)" = "3 / 3 · step 0 of 2" ]                   # the list is done: the next slide
    [[ $output == *'<pre class="code has-emphasis stepped" data-steps="1|3-4|6"'* ]]
    [ "$(marked)" -eq 1 ]                                        # line 1
    run dom "$url?keys=Right#3"
    [ "$(marked)" -eq 2 ]                                        # lines 3-4
    [[ $output == *'<span class="line em" style="--in:8ch">    <span class="c-type">int</span> a = '* ]]
    run dom "$url?keys=Right,Right,Right#3"
    [ "$(counter)" = "3 / 3 · step 2 of 2" ]                     # the last slide: nowhere further
    [ "$(marked)" -eq 1 ]
    run dom "$url?keys=Left#3.2"
    [ "$(counter)" = "3 / 3 · step 1 of 2" ]
    run dom "$url?keys=Left#3"                                   # back onto the list: all shown
    [ "$(counter)" = "2 / 3 · step 3 of 3" ]
    [ "$(shown)" -eq 3 ]
}

@test "steps: the presenter's panes show this step and the next; the overview marks the slide at its step; print shows the final state" {
    browser >/dev/null || skip "no chromium installed (apt-get install chromium)"
    command -v pdftotext >/dev/null || skip "no pdftotext (apt-get install poppler-utils)"
    url=$(steps_deck)
    run dom "$url?presenter#2.1"
    [ "$(grep -o '<li class="step shown">' <<<"$(sed -n '/id="p-now-box"/,/id="p-side"/p' <<<"$output")" | wc -l)" -eq 1 ]
    [ "$(grep -o '<li class="step shown">' <<<"$(sed -n '/id="p-next-box"/,/id="p-notes"/p' <<<"$output")" | wc -l)" -eq 2 ]
    [[ $output == *'<div class="label" id="p-next-label">next: step 2 of 3</div>'* ]]
    run dom "$url?keys=o#2.1"
    [[ $output == *'<div class="thumb current"><section class="slide current"><h2>A list</h2>'?'<ul><li class="step shown">one</li><li class="step">two</li>'* ]]
    timeout 60 "$(browser)" --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$BATS_TEST_TMPDIR/profile" --no-pdf-header-footer --virtual-time-budget=3000 \
        --print-to-pdf="$BATS_TEST_TMPDIR/steps.pdf" "$url" >/dev/null 2>&1
    text=$(pdftotext "$BATS_TEST_TMPDIR/steps.pdf" -)
    [[ $text == *one*two*three* ]]
}

@test "overview: arrows pick a slide, Enter opens it and leaves the overview" {
    setup_viewer
    run dom "$PAGE?keys=o,Right,Enter#3"
    [[ $output == *'<body class="">'* ]]
    [ "$(counter)" = "4 / $N" ]
    run dom "$PAGE?keys=o,Left,Left,Escape#3"
    [[ $output == *'<body class="">'* ]]
    [ "$(counter)" = "1 / $N" ]
}

@test "presenter: T pauses the timer, R resets it, both in the help; the last slide's next pane says it is the end" {
    setup_viewer
    run dom "$PAGE?presenter&elapsed=90#2"
    [[ $output == *'<div id="p-elapsed"'*'>elapsed 1:3'[0-9]'</div>'* ]]
    run dom "$PAGE?presenter&elapsed=90&keys=t#2"
    [[ $output == *'<div id="p-elapsed" class="paused">paused 1:30</div>'* ]]
    run dom "$PAGE?presenter&elapsed=90&keys=r#2"
    [[ $output == *'<div id="p-elapsed"'*'>elapsed 0:0'[0-9]'</div>'* ]]
    run dom "$PAGE?presenter&elapsed=90&keys=t,r#2"
    [[ $output == *'<div id="p-elapsed" class="paused">paused 0:00</div>'* ]]
    [[ $output == *'<td><kbd>T</kbd></td><td>presenter: pause or resume the timer</td>'* ]]
    [[ $output == *'<td><kbd>R</kbd></td><td>presenter: reset the timer to 0:00</td>'* ]]
    run dom "$PAGE?presenter#$N"
    [[ $output == *'<div class="label" id="p-next-label">next: nothing, the last slide</div><div class="pane" id="p-next-box" style="aspect-ratio: 1280 / 720;"><div class="the-end">End of the deck</div></div>'* ]]
    run dom "$PAGE?keys=Question"
    [[ $output == *'<body class="help">'* ]]
}

@test "handouts: HANDOUTS=notes prints a slide and its notes a page (A4 portrait), HANDOUTS=4up four slides a page" {
    browser >/dev/null || skip "no chromium installed (apt-get install chromium)"
    command -v pdfinfo >/dev/null || skip "no pdfinfo (apt-get install poppler-utils)"
    n=$(slide_count)
    HANDOUTS=notes run "$TOP/slides/bin/handouts" 01
    [ "$status" -eq 0 ]
    [ "$output" = "handouts: build/slides/01-blocking-notes.pdf" ]
    info=$(pdfinfo "$TOP/build/slides/01-blocking-notes.pdf")
    [ "$(awk '/^Pages:/ { print $2 }' <<<"$info")" -eq "$n" ]
    awk '/^Page size:/ { exit !($3 < $5) }' <<<"$info"   # higher than wide
    note=$(awk '/^\?\?\?$/ { getline; print; exit }' "$TOP/slides/01-blocking.md" | cut -c1-40 | sed 's/`//g')
    [[ $(pdftotext "$TOP/build/slides/01-blocking-notes.pdf" - | tr '\n' ' ') == *"${note%% *}"* ]]
    HANDOUTS=4up run "$TOP/slides/bin/handouts" 01
    [ "$status" -eq 0 ]
    info=$(pdfinfo "$TOP/build/slides/01-blocking-4up.pdf")
    [ "$(awk '/^Pages:/ { print $2 }' <<<"$info")" -eq $(( (n + 3) / 4 )) ]
    awk '/^Page size:/ { exit !($3 > $5) }' <<<"$info"
    HANDOUTS=bogus run "$TOP/slides/bin/handouts" 01
    [ "$status" -eq 2 ]
}

@test "split=N cuts a code block before its line N, <!-- continued --> a slide where it stands: the rest goes on a slide titled (continued)" {
    browser >/dev/null || skip "no chromium installed (apt-get install chromium)"
    printf '%s\n' '# t' '---' '## Two cuts' '' '<!-- code: a.c#f() split=2 -->' '```c' 'int a;' 'int b;' '```' \
        'text' '<!-- code: a.c#g() split=2 -->' '```c' 'int c;' 'int d;' '```' '' '<!-- continued -->' '' 'end' \
        > "$BATS_TEST_TMPDIR/97-cuts.md"
    [ "$(slide_count "$BATS_TEST_TMPDIR/97-cuts.md")" -eq 5 ]
    run dom "$(page "$BATS_TEST_TMPDIR/97-cuts.md")#5"
    [ "$(counter)" = "5 / 5" ]
    [[ $output == *'<h2>Two cuts</h2>'*' a;</span></code></pre>'* ]]
    [[ $output == *'<h2>Two cuts (continued)</h2>'*' b;</span></code></pre>'*'<p>text</p>'*' c;</span></code></pre>'* ]]
    [[ $output == *'<h2>Two cuts (continued)</h2>'*' d;</span></code></pre>'*'</section><section class="slide current"><h2>Two cuts (continued)</h2>'?'<p>end</p>'* ]]
}
