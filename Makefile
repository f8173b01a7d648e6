# Top-level entry points. Each target sets up what it needs on a fresh
# Debian 12 machine (packages when root, CMake configure and build).
JOBS      ?= $(shell nproc)
SANITIZE  ?= 0
RELEASE   := build
TESTBUILD := $(if $(filter 1,$(SANITIZE)),build/asan,build/test)
FUZZBUILD := build/fuzz
FUZZ_SECONDS ?= 300
DIFF_SEEDS ?= 400

.PHONY: all deps demo test bench fuzz clean

all: deps
	cmake -S . -B $(RELEASE) -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build $(RELEASE) -j $(JOBS)

deps:
	@scripts/deps.sh

demo: all
	@scripts/demo.sh $(RELEASE)/bin

test: deps
	cmake -S . -B $(TESTBUILD) -DCMAKE_BUILD_TYPE=Debug \
	  -DSTOOP_SANITIZE=$(if $(filter 1,$(SANITIZE)),ON,OFF) >/dev/null
	cmake --build $(TESTBUILD) -j $(JOBS)
	cd $(TESTBUILD) && ctest --output-on-failure -j $(JOBS)
ifneq ($(SANITIZE),1)
	cmake -S . -B $(FUZZBUILD) -DCMAKE_BUILD_TYPE=Debug -DSTOOP_FUZZ=ON \
	  -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 >/dev/null
	cmake --build $(FUZZBUILD) -j $(JOBS)
	scripts/fuzz.sh $(FUZZBUILD)/bin 20
endif

bench: all
	@bench/run.sh $(RELEASE)/bin

# Fuzzing: every libFuzzer harness for FUZZ_SECONDS, then the randomized
# differential test of the engines over DIFF_SEEDS cases (12,800 rule-event
# pairs each) with the Release binaries.
fuzz: all
	cmake -S . -B $(FUZZBUILD) -DCMAKE_BUILD_TYPE=Debug -DSTOOP_FUZZ=ON \
	  -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 >/dev/null
	cmake --build $(FUZZBUILD) -j $(JOBS)
	scripts/fuzz.sh $(FUZZBUILD)/bin $(FUZZ_SECONDS)
	STOOP=$(RELEASE)/bin/stoop STOOPC=$(RELEASE)/bin/stoopc STOOP_CACHE_DIR=$(RELEASE)/ruleset-cache \
	  DIFF_SEEDS=$(DIFF_SEEDS) tests/diff/run_diff.sh

clean:
	rm -rf build
