# tunsec — build, test, benchmark.
#
#   make            build/tunsec (and the library and tests)
#   make check      install what is missing, then run every test twice:
#                   optimised, and under ASan+UBSan (build/asan)
#   make demo       install what is missing, build, run the demo
#   make bench      benchmarks (not tests); results under bench/results/
#   make fuzz       run each libFuzzer target for FUZZ_SECONDS
#
# BUILD selects the output directory; SAN=1 builds with sanitizers.

BUILD ?= build
SAN ?=
CC ?= cc
PREFIX ?= /usr/local
FUZZ_SECONDS ?= 60

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-missing-field-initializers
CFLAGS_BASE := -std=gnu11 -g -D_GNU_SOURCE -Isrc -pthread $(WARN)
ifeq ($(SAN),1)
CFLAGS_OPT := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined
LDFLAGS_SAN := -fsanitize=address,undefined
else
CFLAGS_OPT := -O2
LDFLAGS_SAN :=
endif
CFLAGS += $(CFLAGS_BASE) $(CFLAGS_OPT)
LDLIBS := -lIPSec_MB -lcrypto -lpcap -pthread
LDFLAGS += $(LDFLAGS_SAN)

LIB_SRC := $(filter-out src/cli/% src/daemon/%,$(wildcard src/*/*.c))
CLI_SRC := $(wildcard src/cli/*.c)
DAEMON_SRC := $(wildcard src/daemon/*.c)
UNIT_SRC := $(wildcard test/unit/*.c)
FUZZ_TARGETS := $(basename $(notdir $(wildcard fuzz/fuzz_*.c)))
BENCH_SRC := $(wildcard bench/*.c)

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
DAEMON_OBJ := $(DAEMON_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/obj/%.o)
LIB := $(BUILD)/libtunsec.a

PROGRAMS := $(BUILD)/tunsec $(BUILD)/tunsecd
TESTS := $(BUILD)/test/unit $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%-replay)
BENCHES := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

.PHONY: all tests check check-one demo bench fuzz install clean deps
all: $(PROGRAMS) tests
tests: $(TESTS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/tunsec: $(CLI_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tunsecd: $(DAEMON_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/test/unit: $(UNIT_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Each fuzz target is also linked with a plain driver that replays files, so
# the committed corpora run in `make check` under any compiler.
$(BUILD)/fuzz/%-replay: $(BUILD)/obj/fuzz/%.o $(BUILD)/obj/fuzz/replay_main.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

deps:
	@scripts/deps.sh

check: deps
	$(MAKE) all
	$(MAKE) BUILD=build/asan SAN=1 all
	@test/run.sh build build/asan

# Run the suite against one build only: make check-one BUILD=build
check-one:
	$(MAKE) all
	@test/run.sh $(BUILD)

demo: deps
	$(MAKE) all
	@scripts/demo.sh $(BUILD)

bench: deps
	$(MAKE) all $(BENCHES)
	@bench/run.sh $(BUILD)
	@if [ "$$(id -u)" -eq 0 ]; then \
		timeout -k 10 600 bench/ike_handshake.sh $(BUILD) --out bench/results; \
	else echo "ike_handshake: skipped (the lab needs root)"; fi

# libFuzzer needs clang.
FUZZ_CFLAGS := $(CFLAGS_BASE) -O1 -fsanitize=fuzzer,address,undefined
fuzz: deps
	@mkdir -p build/fuzz-clang
	@set -e; for t in $(FUZZ_TARGETS); do \
		clang $(FUZZ_CFLAGS) -o build/fuzz-clang/$$t fuzz/$$t.c $(LIB_SRC) $(LDLIBS); \
		mkdir -p build/fuzz-clang/corpus-$$t; \
		build/fuzz-clang/$$t -max_total_time=$(FUZZ_SECONDS) \
			build/fuzz-clang/corpus-$$t fuzz/corpus/$${t#fuzz_}; \
	done

install: all
	install -D -m 0755 $(BUILD)/tunsec $(DESTDIR)$(PREFIX)/bin/tunsec
	install -D -m 0755 $(BUILD)/tunsecd $(DESTDIR)$(PREFIX)/sbin/tunsecd
	install -D -m 0644 docs/tunsec.1 $(DESTDIR)$(PREFIX)/share/man/man1/tunsec.1
	install -D -m 0644 docs/tunsecd.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/tunsecd.conf.5
	install -D -m 0644 docs/tunsecd.8 $(DESTDIR)$(PREFIX)/share/man/man8/tunsecd.8

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
