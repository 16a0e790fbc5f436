# memcsess: see README.md. `make`, `make check`, `make demo`, `make install PREFIX=...`.
CC ?= cc
PREFIX ?= /usr/local
PKGS = libmemcached jansson ncursesw libedit libssl libcrypto zlib libmicrohttpd

WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
       -Wwrite-strings -Werror
CFLAGS ?= -O2 -g
VERSION = 0.1.0
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DMEMCSESS_VERSION=\"$(VERSION)\" $(WARN) $(CPPFLAGS) $(CFLAGS) -I. -Isrc -pthread
LDLIBS_ALL = -pthread -lm
# gcc zeroes structs of 64 to 512 bytes with `rep stos`, slow to start, and a dump zeroes several
# for every session; a loop of stores instead, where $(CC) takes the option (gcc on x86; the
# fuzz targets, built with clang, go without).
MEMSET_TUNE = -mmemset-strategy=unrolled_loop:512:noalign,libcall:-1:noalign
CC_TUNE := $(shell $(CC) $(MEMSET_TUNE) -E -x c /dev/null >/dev/null 2>&1 && echo '$(MEMSET_TUNE)')

ifeq ($(SANITIZE),1)
BUILD = build/san
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
BIN = $(BUILD)/memcsess
else
BUILD = build/std
BIN = memcsess
endif

# pkg-config is asked only when something is compiled, so `make deps` works on a bare machine.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

SRC = $(wildcard src/*.c src/*/*.c)
CMDS = $(wildcard commands/*.c)
VIEWS = $(wildcard views/*.c)
UNIT = $(wildcard tests/unit/test_*.c)

# What --version says after the version: the commit (git checkout, else GIT_HASH=..., else
# "unknown") and the build date, from SOURCE_DATE_EPOCH when set (dpkg-buildpackage sets it from
# debian/changelog) so that a build is reproducible; else the commit's date; else today.
GIT_HASH ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell \
	git diff-index --quiet HEAD -- 2>/dev/null || { git rev-parse HEAD >/dev/null 2>&1 && echo -dirty; })
BUILD_DATE ?= $(shell date -u -d @$${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct 2>/dev/null || \
	date +%s)} +%Y-%m-%d)
BUILD_INFO = $(BUILD)/build_info.h

LIB = $(BUILD)/libmemcsess.a
SRC_O = $(SRC:%.c=$(BUILD)/%.o)
APP_O = $(CMDS:%.c=$(BUILD)/%.o) $(VIEWS:%.c=$(BUILD)/%.o)
UNIT_BIN = $(UNIT:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: FORCE all deps check unit demo demo-stop install clean fuzz fuzz-build valgrind bench \
	bench-tls bench-pools completion deb
all: $(BIN) completion

# bash and zsh completions, made from the binary's own tables (memcsess __complete-spec).
COMPLETION = build/completion/memcsess.bash build/completion/_memcsess
completion: $(COMPLETION)
$(COMPLETION) &: $(BIN) scripts/gen-completion.sh
	@$(if $(V),,echo "  GEN   build/completion")
	$(Q)bash scripts/gen-completion.sh ./$(BIN) build/completion

# V=1 shows the whole compiler command lines.
Q = $(if $(V),,@)

$(BUILD)/%.o: %.c $(wildcard src/*.h src/*/*.h commands/*.h views/*.h)
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC    $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(CC_TUNE) $(PKG_CFLAGS) -c $< -o $@

# Rewritten only when what it says changes, so that main.c is compiled again only then.
$(BUILD_INFO): FORCE
	@mkdir -p $(dir $@)
	$(Q)printf '#define MEMCSESS_BUILD "git %s, built %s"\n' '$(GIT_HASH)' '$(BUILD_DATE)' >$@.tmp
	$(Q)if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(BUILD)/commands/main.o: $(BUILD_INFO)
$(BUILD)/commands/main.o: ALL_CFLAGS += -I$(BUILD)

FORCE:

$(LIB): $(SRC_O)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(BIN): $(APP_O) $(LIB)
	@$(if $(V),,echo "  LINK  $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $(APP_O) $(LIB) $(PKG_LIBS) $(LDLIBS_ALL)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/unit.h $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  TEST  $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(CC_TUNE) $(PKG_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS) $(LDLIBS_ALL)

deps:
	@sh scripts/deps.sh

unit: $(UNIT_BIN)

check: deps
	@$(MAKE) --no-print-directory all unit $(FUZZ_BIN)
	@MEMCSESS=$(abspath $(BIN)) UNIT_DIR=$(abspath $(BUILD)/tests) \
		FUZZ_DIR=$(abspath $(FUZZ_BUILD)) sh tests/run.sh

# Fuzzing (tests/fuzz/): libFuzzer targets built with clang, ASan and UBSan, apart in build/fuzz.
# `make fuzz FUZZ_SECONDS=N` runs each for N seconds; make check runs a short smoke of each.
FUZZ_CC = clang
FUZZ_BUILD = build/fuzz
FUZZ_SECONDS ?= 60
FUZZ_FLAGS = -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
	     -fno-sanitize-recover=undefined
FUZZ_BIN = $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(wildcard tests/fuzz/fuzz_*.c))

$(FUZZ_BUILD)/src/%.o: src/%.c $(wildcard src/*.h src/*/*.h)
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  FUZZCC $<")
	$(Q)$(FUZZ_CC) $(ALL_CFLAGS) $(FUZZ_FLAGS) $(PKG_CFLAGS) -c $< -o $@

$(FUZZ_BUILD)/libmemcsess.a: $(SRC:%.c=$(FUZZ_BUILD)/%.o)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_BUILD)/libmemcsess.a
	@$(if $(V),,echo "  FUZZ  $@")
	$(Q)$(FUZZ_CC) $(ALL_CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer $(PKG_CFLAGS) -o $@ $< \
		$(FUZZ_BUILD)/libmemcsess.a $(PKG_LIBS) $(LDLIBS_ALL)

fuzz-build: deps
	@$(MAKE) --no-print-directory $(FUZZ_BIN)

fuzz: fuzz-build
	@sh tests/fuzz/run.sh $(abspath $(FUZZ_BUILD)) $(FUZZ_SECONDS)

# The unit test binaries under valgrind: no invalid access, no leak.
valgrind: deps
	@$(MAKE) --no-print-directory unit
	@for t in $(UNIT_BIN); do \
		echo "  VALGRIND $$t"; \
		valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
			--error-exitcode=1 $$t tests/golden >$$t.vg.log 2>&1 || \
			{ cat $$t.vg.log; echo "valgrind: $$t failed"; exit 1; }; \
	done

demo: deps
	@$(MAKE) --no-print-directory all
	@bash scripts/demo.sh

demo-stop:
	@sh scripts/demo-stop.sh

# Benchmarks against the usual tools (tests/bench/bench.sh, README "Benchmarks"): long; scaled
# down with BENCH_SESSIONS=N, BENCH_RUNS=N, BENCH_TOP_SECONDS=S.
RAWREAD = build/bench/rawread
$(RAWREAD): tests/bench/rawread.c
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC    $<")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $<

# memcsess watch's parser and event engine alone, lines a second on one core (issue 17).
WATCHPARSE = build/bench/watchparse
$(WATCHPARSE): tests/bench/watchparse.c $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC    $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(CC_TUNE) $(PKG_CFLAGS) -o $@ $< $(LIB) $(PKG_LIBS) $(LDLIBS_ALL)

bench: deps
	@$(MAKE) --no-print-directory all $(RAWREAD) $(WATCHPARSE)
	@MEMCSESS=$(abspath $(BIN)) RAWREAD=$(abspath $(RAWREAD)) \
		WATCHPARSE=$(abspath $(WATCHPARSE)) bash tests/bench/bench.sh
	@MEMCSESS=$(abspath $(BIN)) bash tests/bench/tls.sh
	@MEMCSESS=$(abspath $(BIN)) RAWREAD=$(abspath $(RAWREAD)) bash tests/bench/pools.sh
	@bash tests/bench/watch-pool.sh $(abspath $(BIN))

# dump and migrate over TLS beside plaintext on one memcached -Z (issue 20); part of bench.
# BENCH_TLS_SESSIONS=N (100000), BENCH_RUNS=N.
bench-tls: deps
	@$(MAKE) --no-print-directory all
	@MEMCSESS=$(abspath $(BIN)) bash tests/bench/tls.sh

# large pools (2, 64, 256 servers) and small sessions (issue 22); part of bench.
# POOLS_SESSIONS=N (128000), SMALL_SESSIONS=N (1000000), BENCH_RUNS=N, BENCH_TOP_SECONDS=S; the
# others in tests/bench/pools.sh.
bench-pools: deps
	@$(MAKE) --no-print-directory all $(RAWREAD)
	@MEMCSESS=$(abspath $(BIN)) RAWREAD=$(abspath $(RAWREAD)) bash tests/bench/pools.sh

install: $(BIN) $(COMPLETION)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/vendor-completions
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/memcsess
	install -m 644 man/memcsess.1 $(DESTDIR)$(PREFIX)/share/man/man1/memcsess.1
	install -m 644 build/completion/memcsess.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/memcsess
	install -m 644 build/completion/_memcsess $(DESTDIR)$(PREFIX)/share/zsh/vendor-completions/_memcsess

# The Debian package, build/deb/memcsess_<version>_<arch>.deb: dpkg-buildpackage in a copy of
# the tracked files (build/deb/src), so the checkout stays as git has it.
deb:
	@sh scripts/build-deb.sh

clean:
	rm -rf build memcsess
