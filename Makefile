# Top-level driver. `make run` and `make test` are the two commands of the
# README: both install what is missing first (scripts/setup.sh).
PY        ?= /usr/bin/python3
JOBS      ?= $(shell nproc)
BUILD     ?= build
ASAN_DIR  ?= build-asan
FUZZ_DIR  ?= build-fuzz
DATA_DIR  ?= latchkey-data
SHARED    ?= $(abspath ../shared)

.PHONY: all build run test setup unit e2e test-asan test-valgrind \
        fuzz fuzz-long bench clean check-style assets browser e2e-pg

all: build

setup:
	@./scripts/setup.sh

$(BUILD)/Makefile: CMakeLists.txt
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

# Swagger UI and the test tools, pinned by package-lock.json.
assets: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

build: setup assets $(BUILD)/Makefile
	@$(MAKE) --no-print-directory -C $(BUILD) -j$(JOBS)

run: build
	./$(BUILD)/latchkey serve --demo --data-dir $(DATA_DIR)

unit: build
	cd $(BUILD) && LATCHKEY_SHARED=$(SHARED) ctest --output-on-failure

e2e: build
	LATCHKEY_BIN=$(abspath $(BUILD)/latchkey) LATCHKEY_SHARED=$(SHARED) \
	    $(PY) -m pytest -q tests/e2e

# The same e2e suite on a throw-away PostgreSQL cluster (loopback and a
# Unix socket in a temp dir), stopped and removed even when tests fail.
e2e-pg: build
	@dir=$$(mktemp -d /tmp/latchkey-pg.XXXXXX); \
	cleanup() { scripts/pg_cluster.sh stop "$$dir"; rm -rf "$$dir"; }; \
	trap cleanup EXIT; trap 'exit 130' INT TERM; \
	url=$$(scripts/pg_cluster.sh start "$$dir") || exit 1; \
	echo "e2e-pg: PostgreSQL at $$url"; \
	LATCHKEY_TEST_DATABASE_URL=$$url LATCHKEY_TEST_PG_DIR=$$dir \
	LATCHKEY_BIN=$(abspath $(BUILD)/latchkey) LATCHKEY_SHARED=$(SHARED) \
	    $(PY) -m pytest -q tests/e2e $(PYTEST_ARGS)

test-asan: setup assets
	cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug \
	    -DLATCHKEY_ASAN=ON -DLATCHKEY_UBSAN=ON >/dev/null
	@$(MAKE) --no-print-directory -C $(ASAN_DIR) -j$(JOBS)
	cd $(ASAN_DIR) && LATCHKEY_SHARED=$(SHARED) \
	    ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure
	LATCHKEY_BIN=$(abspath $(ASAN_DIR)/latchkey) LATCHKEY_SHARED=$(SHARED) \
	    LATCHKEY_SANITIZED=1 $(PY) -m pytest -q tests/e2e

# Slow, not part of `make test`: the unit tests and the server's request
# paths under valgrind memcheck (the one 2^24-iteration PBKDF2 vector is
# skipped there), then the SQLite e2e suite with every latchkey process
# it starts, servers and commands, under memcheck (LATCHKEY_VALGRIND=1,
# see tests/e2e/conftest.py: waits and hang bounds are scaled; the legacy
# timing of test_enumeration, which valgrind distorts, is skipped). Fails
# on any memory error or definite leak. The e2e step took about 17
# minutes on two cores (a bcrypt cost-12 login: about 1 s under memcheck).
test-valgrind: build
	LATCHKEY_SHARED=$(SHARED) ./scripts/valgrind_unit.sh $(BUILD)
	LATCHKEY_BIN=$(abspath $(BUILD)/latchkey) LATCHKEY_SHARED=$(SHARED) \
	    $(PY) -m pytest -q tests/valgrind
	LATCHKEY_VALGRIND=1 LATCHKEY_TEST_DATABASE_URL= \
	    LATCHKEY_BIN=$(abspath $(BUILD)/latchkey) LATCHKEY_SHARED=$(SHARED) \
	    $(PY) -m pytest -q -rs tests/e2e $(PYTEST_ARGS)

browser: build
	LATCHKEY_BIN=$(abspath $(BUILD)/latchkey) ./tests/browser/run.sh

test: check-style unit e2e e2e-pg browser test-asan fuzz

# libFuzzer targets (clang): about ten seconds each, or ten minutes each
# for fuzz-long; both fail on any crash, leak or slow input.
fuzz:
	FUZZ_DIR=$(FUZZ_DIR) ./scripts/fuzz.sh

fuzz-long:
	FUZZ_DIR=$(FUZZ_DIR) FUZZ_SECONDS=600 ./scripts/fuzz.sh

# HTTP benchmark (bench/http_bench.py): latchkey beside nginx and FastAPI,
# on loopback; prints figures, asserts nothing.
bench: build
	$(PY) bench/http_bench.py

check-style:
	@$(PY) scripts/checksrc.py

clean:
	rm -rf $(BUILD) $(ASAN_DIR) $(FUZZ_DIR)
