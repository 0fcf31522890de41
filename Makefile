# waitless: fetch N slow pages once per execution model, chapter by chapter.
#   make          build everything          make test      every bats test, then the kit
#   make demo     every model, one workload, one table
#   make sanitize the tests under ASan+UBSan   make tsan   threaded chapters under TSan
#   make valgrind every fetcher and the server under valgrind on a short workload
#   make fuzz     the libFuzzer targets, FUZZ_SECONDS (60) each
#   make compare  every fetcher on one workload, measured, then the same job in
#                 Python, Twisted, gevent, Go and Node where installed (chapter 13)
#   make bench    this machine's figures: 1000 URLs, curl, wrk, chapters/*/bench
#   make clean
# In a workshop:
#   make check       before the workshop: this machine is ready (about a minute)
#   make exercises [CHAPTER=07] [EX=1]   check your exercises/K-slug.c: passed / not yet
#   make solutions [CHAPTER=07] [EX=1]   check the kit: solutions pass, starters fail
#   make kit-check   every patch of the kit applies to its chapter as it is (no fuzz)
#   make kit-sync    make the patches again after a chapter changed (review them)
#   make slides      rewrite the code on slides/*.md from the sources, draw missing timelines
#   make timelines   redraw every measured timeline on the slides from a fresh run
#   make docs [CHAPTER=07 | FILE=path.md]   rerun the output shown in the READMEs
#                    and decks (every <!-- output: --> block and, but for FILE,
#                    the timelines; about 10 min in full)
#   make present [CHAPTER=07]   the slides as one HTML file; prints its file:// URL
#   make handouts [HANDOUTS=notes|4up]   every deck as build/slides/NN-name.pdf, one
#                    page a slide (chromium); notes: A4, each slide with its notes
#                    (NN-name-notes.pdf); 4up: four slides a page (NN-name-4up.pdf)

CHAPTERS := $(sort $(wildcard chapters/[0-9][0-9]-*))
# Threaded chapters opt in to `make tsan` with a line "TSAN = yes" in their Makefile.
TSAN_CHAPTERS := $(sort $(patsubst %/Makefile,%,$(shell grep -lE '^TSAN *[:?]?= *yes *$$' $(addsuffix /Makefile,$(CHAPTERS)) 2>/dev/null)))
# The fetchers whose name lookups run on common/resolve's threads: `make tsan`
# runs them on tests/names.bats (slow lookups, many at once).
RESOLVER_CHAPTERS := chapters/07-reactor chapters/08-deferreds chapters/10-coroutines chapters/14-completion
FUZZ_SECONDS ?= 60

all:
	@$(MAKE) --no-print-directory -C common
	@for c in $(CHAPTERS); do $(MAKE) --no-print-directory -C $$c all || exit 1; done
	@if [ -f tests/Makefile ]; then $(MAKE) --no-print-directory -C tests all; fi

# The bats suite, then the exercise kit; the last line is a summary
# ("exercises: N passed, M failed"), and a bats failure is repeated after it.
test: all
	@tests/bin/run-bats tests $(addsuffix /tests,$(CHAPTERS)); bats=$$?; echo; \
	if [ "$(KIT)" != no ]; then tests/bin/run-exercises --solutions $(CHAPTERS); kit=$$?; else kit=0; fi; \
	if [ $$bats -ne 0 ]; then echo "make test: the bats tests failed (see above)"; fi; \
	[ $$bats -eq 0 ] && [ $$kit -eq 0 ]

demo: all
	@tests/bin/demo

compare: all
	@$(MAKE) --no-print-directory -C chapters/13-choosing compare

bench: all
	@chapters/13-choosing/benchmark

# The whole suite again under ASan+UBSan; not the kit, whose checks make
# test runs under the sanitizers already (KIT=no: the bats tests alone).
sanitize:
	@$(MAKE) --no-print-directory FLAVOR=sanitize KIT=no test

# CHAPTER=07 picks chapters/07-*; EX=1 (or EX=1-call-every) one exercise.
KIT_CHAPTERS = $(if $(CHAPTER),$(wildcard chapters/$(CHAPTER)*),$(CHAPTERS))

exercises: all
	@$(if $(KIT_CHAPTERS),,echo "no chapter $(CHAPTER) (CHAPTER=07 or 07-reactor)" >&2; exit 2;) \
	tests/bin/run-exercises --ex '$(EX)' $(KIT_CHAPTERS)

solutions: all
	@$(if $(KIT_CHAPTERS),,echo "no chapter $(CHAPTER) (CHAPTER=07 or 07-reactor)" >&2; exit 2;) \
	tests/bin/run-exercises --solutions --ex '$(EX)' $(KIT_CHAPTERS)

kit-check:
	@tests/bin/kit-check

kit-sync:
	@tests/bin/kit-sync; tests/bin/kit-check --fix

# Before a workshop: compilers, bats, the slow server, one fetch per model,
# what the exercise checks need (sanitizers, io_uring, fds), every starter
# builds and every solution passes a smoke run.
check:
	@tests/bin/check

.PHONY: kit-check kit-sync check

# The code on the decks from the sources, and any timeline not drawn yet;
# `make timelines` redraws them all from fresh runs (and so changes them).
slides: all
	@slides/bin/slides && slides/bin/timelines --missing

timelines: all
	@slides/bin/timelines

docs: all
	@if [ -n "$(FILE)" ]; then tests/bin/docs $(FILE); \
	elif [ -n "$(CHAPTER)" ]; then \
	    set -- $(wildcard chapters/$(CHAPTER)*/README.md slides/$(CHAPTER)*.md); \
	    [ $$# -gt 0 ] || { echo "make docs: no chapter $(CHAPTER)" >&2; exit 2; }; \
	    tests/bin/docs "$$@" $(if $(wildcard slides/$(CHAPTER)*.md),&& slides/bin/timelines $(wildcard slides/$(CHAPTER)*.md)); \
	else tests/bin/docs && slides/bin/timelines; fi

present: slides
	@slides/bin/present $(CHAPTER)

handouts: slides
	@slides/bin/handouts

# The TSan chapters' own tests, and the bad-input matrix on their fetchers.
tsan:
	@if [ -z "$(TSAN_CHAPTERS)" ]; then echo "tsan: no chapter sets TSAN = yes; nothing to run"; exit 0; fi; \
	echo "tsan: $(TSAN_CHAPTERS)"; \
	$(MAKE) --no-print-directory -C common FLAVOR=tsan || exit 1; \
	for c in $(TSAN_CHAPTERS) $(RESOLVER_CHAPTERS) tests; do $(MAKE) --no-print-directory -C $$c FLAVOR=tsan all || exit 1; done; \
	MATRIX_FETCHERS="$(foreach c,$(TSAN_CHAPTERS),$(CURDIR)/$(c)/fetch)" \
	    tests/bin/run-bats $(addsuffix /tests,$(TSAN_CHAPTERS)) tests/matrix.bats tests/names.bats

valgrind:
	@$(MAKE) --no-print-directory FLAVOR=normal all
	@tests/valgrind-run

fuzz:
	@$(MAKE) --no-print-directory -C tests/fuzz fuzz FUZZ_SECONDS=$(FUZZ_SECONDS)

clean:
	@$(MAKE) --no-print-directory -C common clean
	@for c in $(CHAPTERS); do $(MAKE) --no-print-directory -C $$c clean; done
	@if [ -f tests/Makefile ]; then $(MAKE) --no-print-directory -C tests clean; fi
	@$(MAKE) --no-print-directory -C tests/fuzz clean
	rm -rf .flavor build

.PHONY: all test demo compare bench sanitize tsan valgrind fuzz exercises solutions slides timelines docs present handouts clean
