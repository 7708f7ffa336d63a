# Makefile: the everyday entry points, over CMake.
#
#   make        configure and build into build/ (the command is build/ward)
#   make test   install missing packages, build with -Werror, run every test
#               (unit, conformance, end-to-end, fuzz replays), then a short
#               bounded libFuzzer run of every fuzz target
#   make demo   install missing packages, build, run the whole governed pipeline
#               on the example repository (draft, explain, test, diff, check,
#               approve, ledger)
#   make demo-authorize   the engine walk-through: authorization decisions on
#               examples/platform
#   make bench  build, then ward vs the reference (cedar-wasm via npm into
#               build/bench-node) on ../shared/bench; see bench/RESULTS.md
#   make clean  remove the build directories
BUILD := build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all build test demo demo-authorize bench fuzz clean

all: build

build:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j$(JOBS)

test:
	scripts/install-deps
	cmake -S . -B $(BUILD) -DWARD_WERROR=ON $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j$(JOBS)
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)
	scripts/fuzz-smoke

demo:
	scripts/install-deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j$(JOBS)
	WARD=$(CURDIR)/$(BUILD)/ward scripts/demo-pipeline

demo-authorize:
	scripts/install-deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j$(JOBS)
	WARD=$(CURDIR)/$(BUILD)/ward scripts/demo

bench:
	scripts/install-deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j$(JOBS)
	BUILD=$(BUILD) scripts/bench

fuzz:
	scripts/fuzz-smoke

clean:
	rm -rf $(BUILD) build-fuzz build-sanitize
