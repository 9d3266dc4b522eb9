# sandlock: build, test, install.
#
#   make                 library (build/libsandlock.so, .a) and CLI (build/sandlock)
#   make deps            install the Debian packages needed to build and test
#   make test            whole suite: C tests under ASan+UBSan, Go tests (-race)
#   make check-c         C tests only;  make check-go  Go tests only
#   make check-container part of the C suite and the example, run as inside
#                        a container that refuses pidfd_getfd, ptrace, ...
#   make check-readme    the README's examples, run as written
#   make check-docs      citations resolve to the repository's own docs
#   make format          apply .clang-format;  make check-format  check it
#   make valgrind        ABI lifecycle under valgrind (leak check)
#   make fuzz            bounded libFuzzer runs of every parser
#   make bench           benchmarks (bench/README.md)
#   make install         PREFIX=/usr/local DESTDIR=
#
# BUILD selects the output directory; SAN=1 builds with ASan+UBSan.

VERSION    := 0.8.6
PREFIX     ?= /usr/local
DESTDIR    ?=
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR     ?= $(PREFIX)/bin

SAN ?= 0
ifeq ($(SAN),1)
BUILD ?= build-asan
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT := -O1 -g
else
BUILD ?= build
SANFLAGS :=
OPT := -O2 -g
endif

CC      ?= cc
# Short build lines by default; V=1 shows the full commands.
V ?= 0
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-6s %s\n' $(1) $(2)
endif
CFLAGS  ?=
WARN    := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
BASEFLAGS := -std=gnu11 $(OPT) $(WARN) -fPIC -fvisibility=hidden \
	-D_GNU_SOURCE -DSANDLOCK_VERSION=\"$(VERSION)\" \
	-Iinclude -Isrc $(SANFLAGS)
LIBS    := -lseccomp -lpthread

# Hardening of everything built here: stack protector, stack clash probes,
# CET branch markers where the compiler has them (x86), full RELRO, and
# _FORTIFY_SOURCE outside the sanitizer build (ASan replaces the checked
# functions). The code that runs between clone and exec opts out in its
# source (src/launch/child.c says why).
cc-option = $(shell $(CC) -Werror $(1) -c -x c /dev/null -o /dev/null 2>/dev/null && echo $(1))
HARDEN_CFLAGS := -fstack-protector-strong $(call cc-option,-fstack-clash-protection) \
	$(call cc-option,-fcf-protection)
ifneq ($(SAN),1)
HARDEN_CFLAGS += -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3
endif
HARDEN_LDFLAGS := -Wl,-z,relro,-z,now
BASEFLAGS += $(HARDEN_CFLAGS)

LIB_SRCS := $(sort $(wildcard src/*/*.c))
CLI_SRCS := $(sort $(wildcard cli/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/obj/%.o)

UNIT_SRCS  := $(sort $(wildcard tests/unit/test_*.c))
INTEG_SRCS := $(sort $(wildcard tests/integration/test_*.c))
ESCAPE_SRCS := $(sort $(wildcard tests/escape/test_*.c))
TEST_SRCS  := $(UNIT_SRCS) $(INTEG_SRCS) $(ESCAPE_SRCS)
TEST_BINS  := $(TEST_SRCS:%.c=$(BUILD)/%)
TEST_HELPERS := $(sort $(wildcard tests/helpers/*.c))
TEST_HELPER_BINS := $(TEST_HELPERS:tests/helpers/%.c=$(BUILD)/tests/helpers/%)
TESTLIB_SRCS := $(sort $(wildcard tests/lib/*.c))
TESTLIB_OBJS := $(TESTLIB_SRCS:%.c=$(BUILD)/obj/%.o)
TESTLIB      := $(BUILD)/tests/libsltest.a

SHLIB  := $(BUILD)/libsandlock.so
FFILIB := $(BUILD)/libsandlock_ffi.so
STLIB  := $(BUILD)/libsandlock.a
CLI    := $(BUILD)/sandlock

.PHONY: all lib cli deps test check-docs check-format format check-c check-go check-readme check-container valgrind fuzz fuzz-short bench install \
	uninstall clean tests example
all: lib cli
lib: $(SHLIB) $(FFILIB) $(STLIB)
cli: $(CLI)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(BASEFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(SHLIB): $(LIB_OBJS)
	$(call say,LD,$@)
	$(Q)$(CC) -shared $(SANFLAGS) -Wl,-soname,libsandlock_ffi.so -Wl,--no-undefined \
		$(HARDEN_LDFLAGS) -o $@ $^ $(LIBS) $(LDFLAGS)

$(FFILIB): $(SHLIB)
	$(call say,LN,$@)
	$(Q)ln -sf libsandlock.so $@

$(STLIB): $(LIB_OBJS)
	@rm -f $@
	$(call say,AR,$@)
	$(Q)ar rcs $@ $^

# The CLI links the static library: one less dynamic object to load per run.
# Without sanitizers it is a static PIE (still address-randomized): no
# dynamic loader, no shared objects to map and relocate, about 150 us of
# every `sandlock run`. Static glibc keeps getaddrinfo's files and dns
# sources built in (the linker's warning about it is expected).
ifeq ($(SAN),1)
CLI_LINK :=
else
CLI_LINK := -static-pie
endif
$(CLI): $(CLI_OBJS) $(STLIB)
	$(call say,LD,$@)
	$(Q)$(CC) $(SANFLAGS) $(CLI_LINK) $(HARDEN_LDFLAGS) -o $@ $(CLI_OBJS) $(STLIB) \
		$(LIBS) $(LDFLAGS)

# The tests' helper library (tests/lib/, tests/README.md), linked into
# every test binary.
$(BUILD)/obj/tests/lib/%.o: tests/lib/%.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(BASEFLAGS) -Itests $(CFLAGS) -MMD -MP -c $< -o $@

$(TESTLIB): $(TESTLIB_OBJS)
	@mkdir -p $(dir $@)
	@rm -f $@
	$(call say,AR,$@)
	$(Q)ar rcs $@ $^

# Tests link the internal objects directly so unit tests can reach hidden
# functions; integration tests use the public header.
$(BUILD)/tests/%: tests/%.c $(TESTLIB) $(STLIB) tests/harness.h
	@mkdir -p $(dir $@)
	$(call say,TEST,$@)
	$(Q)$(CC) $(BASEFLAGS) -Itests $(CFLAGS) -MMD -MP -o $@ $< $(TESTLIB) $(STLIB) \
		$(LIBS) $(LDFLAGS)

# Helper programs run inside sandboxes: built without sanitizers (ASan needs
# /proc and reserves terabytes of address space, which a memory limit
# counts). abi_lifecycle drives the library and is built like the tests.
HELPER_CFLAGS := -std=gnu11 -O1 -g $(WARN) -D_GNU_SOURCE -Iinclude -Isrc
$(BUILD)/tests/helpers/%: tests/helpers/%.c
	@mkdir -p $(dir $@)
	$(call say,HELPER,$@)
	$(Q)$(CC) $(HELPER_CFLAGS) $(CFLAGS) -o $@ $< -lpthread $(LDFLAGS)

$(BUILD)/tests/helpers/abi_lifecycle: tests/helpers/abi_lifecycle.c $(TESTLIB) $(STLIB)
	@mkdir -p $(dir $@)
	$(call say,TEST,$@)
	$(Q)$(CC) $(BASEFLAGS) -Itests $(CFLAGS) -MMD -MP -o $@ $< $(TESTLIB) $(STLIB) \
		$(LIBS) $(LDFLAGS)

tests: $(TEST_BINS) $(TEST_HELPER_BINS) $(CLI) $(SHLIB) $(FFILIB)

deps:
	./scripts/deps.sh

# The suite the README and CI run. C tests are built with sanitizers.
test: check-docs check-format check-c check-container valgrind fuzz-short check-go check-readme

# The include rules of docs/architecture.md first: a cheap grep.
check-c: check-docs
	./scripts/check-layers.sh
	$(MAKE) SAN=1 tests
	$(MAKE) lib cli
	SANDLOCK_BUILD=$(CURDIR)/build-asan SANDLOCK_LIB_BUILD=$(CURDIR)/build \
		./tests/run.sh build-asan

# The suite as it runs in a container (docs/containers.md).
check-container:
	$(MAKE) SAN=1 tests
	$(MAKE) lib cli
	SANDLOCK_BUILD=$(CURDIR)/build-asan SANDLOCK_LIB_BUILD=$(CURDIR)/build \
		./scripts/check-container.sh

check-go: lib
	./scripts/check-go.sh

# Cheap, so first: comments and docs cite only the repository's docs.
check-docs:
	./scripts/check-docs.sh

check-format:
	./scripts/check-format.sh

format:
	./scripts/check-format.sh --fix

# The README's examples, run as written (and the hardening it states).
check-readme: all
	./scripts/check-readme.sh

valgrind: lib
	./scripts/valgrind.sh

fuzz:
	./scripts/fuzz.sh

fuzz-short:
	FUZZ_SECONDS=10 ./scripts/fuzz.sh

BENCH_BIN := $(BUILD)/bench/abi_bench $(BUILD)/bench/notify_loop \
	$(BUILD)/bench/net_bench $(BUILD)/bench/cow_bench $(BUILD)/bench/fs_bench \
	$(BUILD)/bench/cow_view_bench \
	$(BUILD)/bench/open_loop $(BUILD)/bench/policy_bench $(BUILD)/bench/exec_loop

$(BUILD)/bench/abi_bench: bench/abi_bench.c $(SHLIB)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 $(WARN) -D_GNU_SOURCE -Iinclude -o $@ $< \
		-L$(BUILD) -Wl,-rpath,$(abspath $(BUILD)) -lsandlock

$(BUILD)/bench/net_bench: bench/net_bench.c $(SHLIB)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 $(WARN) -D_GNU_SOURCE -Iinclude -o $@ $< \
		-L$(BUILD) -Wl,-rpath,$(abspath $(BUILD)) -lsandlock -lpthread

# Uses the library's internal API (src/cow/), like the tests.
$(BUILD)/bench/cow_bench: bench/cow_bench.c $(STLIB)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) -o $@ $< $(STLIB) $(LIBS) $(LDFLAGS)

# The interception's workloads, and a commit through the internal API.
$(BUILD)/bench/cow_view_bench: bench/cow_view_bench.c $(STLIB)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) -Ibench -o $@ $< $(STLIB) $(LIBS) $(LDFLAGS)

$(BUILD)/bench/fs_bench: bench/fs_bench.c $(SHLIB)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 $(WARN) -D_GNU_SOURCE -Iinclude -o $@ $< \
		-L$(BUILD) -Wl,-rpath,$(abspath $(BUILD)) -lsandlock

$(BUILD)/bench/open_loop: bench/open_loop.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 $(WARN) -D_GNU_SOURCE -o $@ $<

$(BUILD)/bench/policy_bench: bench/policy_bench.c $(SHLIB)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 $(WARN) -D_GNU_SOURCE -Iinclude -o $@ $< \
		-L$(BUILD) -Wl,-rpath,$(abspath $(BUILD)) -lsandlock

# Without libc: an exec of it runs nothing else (policy_bench times exec).
$(BUILD)/bench/exec_loop: bench/exec_loop.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 $(WARN) -ffreestanding -fno-stack-protector \
		-nostdlib -static -o $@ $<

$(BUILD)/bench/notify_loop: bench/notify_loop.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 $(WARN) -D_GNU_SOURCE -o $@ $<

bench: lib cli $(BENCH_BIN)
	./bench/run.sh $(BUILD)

example: all
	./scripts/example.sh

install: lib cli
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(BINDIR)
	install -m 0755 $(SHLIB) $(DESTDIR)$(LIBDIR)/libsandlock.so
	ln -sf libsandlock.so $(DESTDIR)$(LIBDIR)/libsandlock_ffi.so
	install -m 0644 $(STLIB) $(DESTDIR)$(LIBDIR)/libsandlock.a
	install -m 0644 include/sandlock.h $(DESTDIR)$(INCLUDEDIR)/sandlock.h
	install -m 0644 include/sandlock_ext.h $(DESTDIR)$(INCLUDEDIR)/sandlock_ext.h
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' \
		go/sandlock.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/sandlock.pc
	install -m 0755 $(CLI) $(DESTDIR)$(BINDIR)/sandlock

# Reference name of the Go SDK's install target.
install-go-lib: install

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libsandlock.so $(DESTDIR)$(LIBDIR)/libsandlock_ffi.so \
		$(DESTDIR)$(LIBDIR)/libsandlock.a $(DESTDIR)$(INCLUDEDIR)/sandlock.h \
		$(DESTDIR)$(INCLUDEDIR)/sandlock_ext.h \
		$(DESTDIR)$(LIBDIR)/pkgconfig/sandlock.pc $(DESTDIR)$(BINDIR)/sandlock

clean:
	rm -rf build build-asan build-fuzz

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d) $(TEST_BINS:=.d)
-include $(TESTLIB_OBJS:.o=.d) $(BUILD)/tests/helpers/abi_lifecycle.d
