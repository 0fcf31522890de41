# chapter.mk: what every chapter's Makefile shares. A chapter sets
# PROGRAMS (and its own `run`) and includes this file:
#   all    builds the programs       test   runs tests/*.bats
#   clean  removes what all built    run    (the chapter's own) the demo
#   exercises, solutions   the workshop kit (see exercises.mk)
# A threaded chapter also sets, on a line of its own,
#   TSAN = yes
# and the top `make tsan` then builds it with FLAVOR=tsan (ThreadSanitizer)
# and runs its tests/*.bats and the bad-input matrix on its fetch.
# Every chapters/*/fetch is also run by the top `make valgrind` and by
# tests/matrix.bats (bad URLs, faults, timeouts): nothing to set up for that.
TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
include $(TOP)/common/build.mk

LIB = $(TOP)/common/libwaitless.a
WITH_SERVER = $(TOP)/tests/bin/with-slowserver
# The demo workload of the book: four pages that take 1/8 .. 4/8 s.
DEMO_URLS = "$$SLOW/slow?delay=0.125" "$$SLOW/slow?delay=0.25" \
            "$$SLOW/slow?delay=0.375" "$$SLOW/slow?delay=0.5"

all: $(PROGRAMS)

# A program may need more of the chapter's objects: `fetch: tq.o` adds them
# (the library goes last, so the linker finds what they call in it).
$(PROGRAMS): %: %.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIB) $(LDLIBS)

$(LIB): FORCE
	@$(MAKE) --no-print-directory -C $(TOP)/common

test: all
	@$(TOP)/tests/bin/run-bats tests

clean:
	rm -f *.o *.d $(PROGRAMS) $(CLEAN_EXTRA)
	rm -rf build

include $(TOP)/common/exercises.mk

FORCE:
.PHONY: all test clean run FORCE
