# waitless: fetch N slow pages once per execution model, chapter by chapter.
#   make          build everything          make test      every bats test, then the kit
#   make demo     every model, one workload, one table
#   make sanitize the tests under ASan+UBSan   make tsan   threaded chapters under TSan
#   make clean
# In a workshop:
#   make exercises   check every chapter's exercises/K-slug.c: passed / not yet
#   make solutions   check the kit: solutions pass, starters fail
#   make slides      rewrite the code on slides/*.md from the sources
#   make present [CHAPTER=07]   the slides as one HTML file; prints its file:// URL

CHAPTERS := $(sort $(wildcard chapters/[0-9][0-9]-*))

all:
	@$(MAKE) --no-print-directory -C common
	@for c in $(CHAPTERS); do $(MAKE) --no-print-directory -C $$c all || exit 1; done
	@if [ -f tests/Makefile ]; then $(MAKE) --no-print-directory -C tests all; fi

# The bats suite, then the exercise kit; the last line is a summary
# ("exercises: N passed, M failed"), and a bats failure is repeated after it.
test: all
	@common/run-bats tests $(addsuffix /tests,$(CHAPTERS)); bats=$$?; echo; \
	common/run-exercises --solutions $(CHAPTERS); kit=$$?; \
	if [ $$bats -ne 0 ]; then echo "make test: the bats tests failed (see above)"; fi; \
	[ $$bats -eq 0 ] && [ $$kit -eq 0 ]

demo: all
	@common/demo

sanitize:
	@$(MAKE) --no-print-directory FLAVOR=sanitize test

exercises: all
	@common/run-exercises $(CHAPTERS)

solutions: all
	@common/run-exercises --solutions $(CHAPTERS)

slides:
	@common/slides

present: slides
	@common/present $(CHAPTER)

clean:
	@$(MAKE) --no-print-directory -C common clean
	@for c in $(CHAPTERS); do $(MAKE) --no-print-directory -C $$c clean; done
	@if [ -f tests/Makefile ]; then $(MAKE) --no-print-directory -C tests clean; fi
	rm -rf .flavor build

.PHONY: all test demo sanitize exercises solutions slides present clean
