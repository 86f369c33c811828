# mitra: two commands. `make run` sets up and runs the demo journey; `make test` sets up
# (including Debian's postgresql, chromium and faketime when missing and apt is usable),
# lints, type-checks, tests, then runs the time-sensitive tests again at four fixed moments.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run demo test setup lint typecheck pytest test-clock bench lock clean system-deps

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# The main job: the web app on the default SQLite journal (Ctrl-C stops it).
run: setup
	$(BIN)/mitra serve

# The demo journey in the terminal, without the web app.
demo: setup
	$(BIN)/mitra demo

system-deps:
	@bash scripts/system-deps.sh

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: setup
	$(BIN)/mypy

pytest: setup system-deps
	$(BIN)/pytest

test: lint typecheck pytest test-clock

# The time-sensitive part of the suite again under Debian's libfaketime, at four fixed moments
# (the process clock and TZ both set), so a test that reads the wall clock or the machine's zone
# fails here instead of on some day in CI. The moments run side by side (CLOCK_JOBS, default
# the CPUs); see the script's header.
test-clock: setup system-deps
	@BIN=$(BIN) bash scripts/test-clock.sh

# Speed targets live here, not in timed tests: every benchmark, then one table of figure,
# target, measured, met / NOT met (bench/run_all.py). BENCH_QUICK=1 make bench: a smoke run.
# The judged journals are built once into bench/.cache/ (a few minutes), then reused.
PEERS := $(VENV)/peers
PEERS_STAMP := $(PEERS)/.installed

# jrnl and sqlite-utils, the CLI peers, live in their own environment (see the file's header).
$(PEERS_STAMP): $(STAMP) bench/peer-requirements.txt
	$(PYTHON) -m venv $(PEERS)
	$(PEERS)/bin/pip install --quiet -r bench/peer-requirements.txt
	touch $(PEERS_STAMP)

bench: $(PEERS_STAMP)
	$(BIN)/python bench/run_all.py

# Refresh constraints.txt from a clean install of the compatible ranges in pyproject.toml.
lock:
	rm -rf .lockvenv && $(PYTHON) -m venv .lockvenv
	.lockvenv/bin/pip install --quiet -e '.[dev]'
	.lockvenv/bin/pip freeze --exclude-editable | grep -v '^mitra' > constraints.txt
	rm -rf .lockvenv

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
