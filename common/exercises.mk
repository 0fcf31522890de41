# exercises.mk: a chapter's workshop kit (chapter.mk includes it).
#   make exercises [EX=K]   build your exercises/K-slug.c and check each (or
#                    exercise K alone: EX=1 or EX=1-slug): passed / not yet
#   make solutions [EX=K]   check the kit: every solution passes, every starter fails
# A chapter whose exercises link chapter objects lists them, e.g.
#   EXERCISE_OBJS = tq.o
# The work is done by tests/bin/run-exercises, which also runs from the top.

exercises: FORCE
	@$(TOP)/tests/bin/run-exercises --ex '$(EX)' $(CURDIR)

solutions: FORCE
	@$(TOP)/tests/bin/run-exercises --solutions --ex '$(EX)' $(CURDIR)

# For run-exercises and tests/bin/check: builds what an exercise links with,
# then prints the compile and link flags of this build (cflags, link), and
# what run-exercises needs to build its own sanitizer copies: the flags
# without the build's optimisation and sanitizers (warn), the sources of
# EXERCISE_OBJS (objs), the libraries (libs), whether the chapter is
# threaded (tsan) and whether its leaks need valgrind (leaks). Second
# expansion: EXERCISE_OBJS may be set after the include line too.
.SECONDEXPANSION:
exercise-flags: $(LIB) $$(EXERCISE_OBJS)
	@echo 'cc: $(CC)'
	@echo 'cflags: $(CFLAGS) -I$(CURDIR)'
	@echo 'link: $(LDFLAGS) $(addprefix $(CURDIR)/,$(EXERCISE_OBJS)) $(LIB) $(LDLIBS)'
	@echo 'warn: $(WARN) -I$(TOP)/common $(EXTRA_CFLAGS) -I$(CURDIR)'
	@echo 'objs: $(addprefix $(CURDIR)/,$(EXERCISE_OBJS:.o=.c))'
	@echo 'libs: $(LDLIBS)'
	@echo 'tsan: $(TSAN)'
	@echo 'leaks: $(LEAKS)'

.PHONY: exercises solutions exercise-flags
