# waitless: fetch N slow pages once per execution model, chapter by chapter.
#   make          build everything          make test      every bats test
#   make demo     every model, one workload, one table
#   make sanitize the tests under ASan+UBSan   make tsan   threaded chapters under TSan
#   make compare  every fetcher on one workload, measured (chapter 13)
#   make bench    this machine's figures: 1000 URLs, curl, wrk, chapters/*/bench
#   make clean

CHAPTERS := $(sort $(wildcard chapters/[0-9][0-9]-*))

all:
	@$(MAKE) --no-print-directory -C common
	@for c in $(CHAPTERS); do $(MAKE) --no-print-directory -C $$c all || exit 1; done
	@if [ -f tests/Makefile ]; then $(MAKE) --no-print-directory -C tests all; fi

test: all
	@common/run-bats tests $(addsuffix /tests,$(CHAPTERS))

demo: all
	@common/demo

compare: all
	@$(MAKE) --no-print-directory -C chapters/13-choosing compare

bench: all
	@chapters/13-choosing/benchmark

sanitize:
	@$(MAKE) --no-print-directory FLAVOR=sanitize test

clean:
	@$(MAKE) --no-print-directory -C common clean
	@for c in $(CHAPTERS); do $(MAKE) --no-print-directory -C $$c clean; done
	@if [ -f tests/Makefile ]; then $(MAKE) --no-print-directory -C tests clean; fi
	rm -f .flavor

.PHONY: all test demo compare bench sanitize clean
