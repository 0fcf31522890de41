#!/usr/bin/env bats
# The slides: every deck's code blocks match the sources they name
# (slides/bin/slides), a marker that points at nothing is an error, and the
# viewer (slides/index.html, embedded by slides/bin/present) shows a deck and
# moves through it in a real headless Chromium, when one is installed.

load helpers

@test "every deck is up to date with its sources (else: make slides)" {
    mkdir "$BATS_TEST_TMPDIR/decks"
    run "$TOP/slides/bin/slides" -o "$BATS_TEST_TMPDIR/decks"
    [ "$status" -eq 0 ]
    for deck in "$TOP"/slides/*.md; do
        diff -u "$deck" "$BATS_TEST_TMPDIR/decks/$(basename "$deck")"
    done
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

# The chapters whose sources still have regions cut inside functions, until
# their rewrite lands (issue 25): delete this line then.
PENDING_REGIONS="chapters/06-select chapters/14-completion"

@test "no slide region starts or ends inside a function body (or any braces)" {
    files=()
    for f in "$TOP"/chapters/*/*.[ch] "$TOP"/common/*.[ch]; do
        case " $PENDING_REGIONS " in *" $(dirname "${f#"$TOP"/}") "*) continue ;; esac
        files+=("$f")
    done
    [ "${#files[@]}" -gt 20 ]
    run cut_regions "${files[@]}"
    [ "$status" -eq 0 ]
    [ -z "$output" ] || { echo "regions cut inside a function:"; echo "$output"; false; }
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

# How many slides deck 01 has: lines "---" outside code blocks, plus one.
slide_count() {
    awk '/^```/ { code = !code } !code && /^---[ \t]*$/ { n++ } END { print n + 1 }' \
        "$TOP/slides/01-blocking.md"
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
    timeout 60 "$(browser)" --headless --no-sandbox --disable-gpu --disable-quic \
        --no-first-run --disable-background-networking --disable-component-update \
        --disable-sync --user-data-dir="$BATS_TEST_TMPDIR/profile" --window-size=1920,1200 \
        --virtual-time-budget=5000 --dump-dom "file://$TOP/build/slides/index.html?check=$1" 2>/dev/null |
        sed -n '/<pre id="check-report">/,/<\/pre>/p'
}

@test "every slide of every deck fits, with code at 2.5% of its height or more, at 1280x720, 1024x768 and 1920x1080" {
    browser >/dev/null || skip "no chromium installed (apt-get install chromium): the slides' fit is not checked"
    "$TOP/slides/bin/present" >/dev/null
    slides=$(cat "$TOP"/slides/[0-9]*.md | awk '/^```/ { code = !code } !code && /^---[ \t]*$/ { n++ } END { print n }')
    slides=$((slides + $(ls "$TOP"/slides/[0-9]*.md | wc -l)))
    failed=0
    for size in 1280x720 1024x768 1920x1080; do
        report=$(check "$size")
        grep -q "^window $size\$" <<<"$report" || { echo "no report at $size"; failed=1; continue; }
        grep -q "^checked $slides slides, 0 failed\$" <<<"$report" || {
            echo "at $size:"; grep -E '^(FAIL|checked)' <<<"$report"; failed=1; }
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
    [[ $output == *'<pre id="sync-report">presenter followed to 3; audience followed to 4</pre>'* ]]
}

@test "the presenter view shows the notes, the next slide and a clock; the audience sees no notes" {
    setup_viewer
    run dom "$PAGE?presenter#2"
    [[ $output == *'<body class="presenter">'* ]]
    [[ $output == *'<div id="p-clock">'[0-9][0-9]:[0-9][0-9]:[0-9][0-9]'</div>'* ]]
    [[ $output == *'<div class="pane" id="p-next-box"><section class="slide'* ]]
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
