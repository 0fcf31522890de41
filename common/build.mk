# build.mk: compiler flags shared by common/, tests/ and every chapter.
# FLAVOR picks the build: normal, sanitize (ASan+UBSan) or tsan. The
# flavor is remembered in $(TOP)/.flavor; changing it rebuilds everything.
# Each object depends on the headers it includes, as the compiler lists
# them (-MMD writes foo.d beside foo.o; -MP keeps a deleted header from
# breaking the build), not on every header there is.

FLAVOR ?= normal
# make's built-in CC would win over `CC ?= cc`: only replace that default.
ifeq ($(origin CC),default)
  CC = cc
endif
WARN = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
       -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes
ifeq ($(FLAVOR),sanitize)
  OPT = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else ifeq ($(FLAVOR),tsan)
  OPT = -O1 -g -fsanitize=thread
else ifeq ($(FLAVOR),normal)
  OPT = -O2 -g
else
  $(error FLAVOR must be normal, sanitize or tsan, not '$(FLAVOR)')
endif
CFLAGS = $(WARN) $(OPT) -I$(TOP)/common $(EXTRA_CFLAGS)
LDFLAGS = $(OPT)
LDLIBS = -lpthread -lm

FLAVOR_STAMP := $(TOP)/.flavor
$(shell [ "$$(cat $(FLAVOR_STAMP) 2>/dev/null)" = "$(FLAVOR)" ] || echo $(FLAVOR) > $(FLAVOR_STAMP))

%.o: %.c $(FLAVOR_STAMP)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

# The .d files hold rules (foo.o: foo.c foo.h): without this line, the
# first of them would become what a bare `make` builds.
.DEFAULT_GOAL := all
-include $(wildcard *.d)
