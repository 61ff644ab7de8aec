# Vigil build.
#   make            build build/vigil (one static binary, BPF objects embedded)
#   make run        install missing packages, build, run the agent with its defaults
#   make test       install missing packages, build, run every test (unit, host e2e, VM)
#   make test-unit  unit tests under ASan/UBSan
#   make test-e2e   end-to-end tests on this host's kernel
#   make test-vm    end-to-end tests in a QEMU VM (Debian 6.1 kernel, BPF LSM on)
#   make format     clang-format every source file
BUILD   ?= build
CC      := gcc
CLANG   ?= clang
BPFTOOL ?= bpftool
ARCH    := x86

BPF_FAMILIES := process cred file net kernel probe
BPF_OBJS  := $(patsubst %,$(BUILD)/bpf/%.bpf.o,$(BPF_FAMILIES))
SKELS     := $(patsubst %,$(BUILD)/skel/%.skel.h,$(BPF_FAMILIES))
BPF_HDRS  := $(wildcard bpf/*.h) include/vigil_abi.h

SRCS      := $(wildcard src/*.c)
LIB_SRCS  := $(filter-out src/main.c,$(SRCS))
HDRS      := $(wildcard src/*.h) include/vigil_abi.h
OBJS      := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(SRCS))
ASAN_OBJS := $(patsubst src/%.c,$(BUILD)/asan/%.o,$(LIB_SRCS))

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
E2E_SRCS  := $(wildcard tests/e2e/*.c)
E2E_BIN   := $(BUILD)/tests/vigil-e2e

WARN      := -Wall -Wextra -Werror
CFLAGS    := -std=gnu11 -O2 -g $(WARN) -Iinclude -Isrc -I$(BUILD)/skel -D_GNU_SOURCE
ASAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
STATIC_LIBS := -lbpf -lelf -lz -lzstd -ljansson -lyaml
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) $(WARN) -Wno-unused-function -Wno-unused-parameter \
	      -Iinclude -Ibpf -I$(BUILD)/bpf

VERSION   := $(shell git describe --always --dirty 2>/dev/null || echo 0.1.0)

LIB_OBJS  := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIB_SRCS))

.PHONY: all deps deps-vm run test test-unit test-e2e test-vm bench-rules format clean
.SECONDARY:
all: $(BUILD)/vigil

deps:
	@scripts/install-deps.sh

deps-vm:
	@scripts/install-deps.sh --vm

run: deps
	@$(MAKE) --no-print-directory all
	$(BUILD)/vigil run

test: deps-vm
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory test-unit
	@$(MAKE) --no-print-directory test-e2e
	@$(MAKE) --no-print-directory test-vm

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) | $(BUILD)/bpf
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(BPFTOOL) gen object $@ $@.tmp
	@rm -f $@.tmp

$(BUILD)/skel/%.skel.h: $(BUILD)/bpf/%.bpf.o | $(BUILD)/skel
	$(BPFTOOL) gen skeleton $< name vigil_$* > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: src/%.c $(HDRS) $(SKELS) | $(BUILD)/obj
	$(CC) $(CFLAGS) -DVIGIL_VERSION='"$(VERSION)"' -c $< -o $@

# The default rules are embedded with .incbin: rebuild when they change.
$(BUILD)/obj/default_rules.o $(BUILD)/asan/default_rules.o: $(wildcard rules/*.yaml)

$(BUILD)/vigil: $(OBJS)
	$(CC) -static -o $@ $^ $(STATIC_LIBS)

$(BUILD)/asan/%.o: src/%.c $(HDRS) $(SKELS) | $(BUILD)/asan
	$(CC) $(CFLAGS) $(ASAN) -O1 -DVIGIL_VERSION='"$(VERSION)"' -c $< -o $@

$(BUILD)/tests/unit/%: tests/unit/%.c $(ASAN_OBJS) | $(BUILD)/tests/unit
	$(CC) $(CFLAGS) $(ASAN) -O1 -o $@ $< $(ASAN_OBJS) -lcmocka \
		-Wl,-Bstatic $(STATIC_LIBS) -Wl,-Bdynamic

$(E2E_BIN): $(E2E_SRCS) $(wildcard tests/e2e/*.h) | $(BUILD)/tests
	$(CC) $(CFLAGS) -Itests/e2e -static -o $@ $(E2E_SRCS) -ljansson -lpthread

test-unit: $(UNIT_BINS)
	@fail=0; for t in $(UNIT_BINS); do \
		echo "== $$t"; $$t || fail=1; \
	done; exit $$fail

test-e2e: $(BUILD)/vigil $(E2E_BIN)
	VIGIL=$(BUILD)/vigil $(E2E_BIN)

test-vm: $(BUILD)/vigil $(E2E_BIN)
	tests/vm/run.sh

$(BUILD)/bench/bench_rules: bench/bench_rules.c $(LIB_OBJS) | $(BUILD)/bench
	$(CC) $(CFLAGS) -o $@ $< $(LIB_OBJS) -static $(STATIC_LIBS)

# Rule evaluation cost per event (user space), default rules and 100+ rules.
bench-rules: $(BUILD)/bench/bench_rules
	$(BUILD)/bench/bench_rules rules/vigil_rules.yaml

format:
	clang-format -i bpf/*.bpf.c bpf/*.bpf.h src/*.c src/*.h tests/unit/*.c tests/e2e/*.c \
		tests/e2e/*.h include/vigil_abi.h

$(BUILD)/bpf $(BUILD)/skel $(BUILD)/obj $(BUILD)/asan $(BUILD)/tests $(BUILD)/tests/unit $(BUILD)/bench:
	@mkdir -p $@

clean:
	rm -rf $(BUILD)
