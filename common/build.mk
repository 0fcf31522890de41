# build.mk: compiler flags shared by common/, tests/ and every chapter.
# FLAVOR picks the build: normal, sanitize (ASan+UBSan) or tsan. The
# flavor is remembered in $(TOP)/.flavor; changing it rebuilds everything.

FLAVOR ?= normal
CC ?= cc
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
	$(CC) $(CFLAGS) -c -o $@ $<
