# mitra: two commands. `make run` sets up and runs the demo journey; `make test` sets up
# (including Debian's postgresql when missing and apt is usable), lints, type-checks, tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run demo test setup lint typecheck pytest bench lock clean system-deps

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

test: lint typecheck pytest

# Speed targets live here, not in timed tests (each script prints its figures and target).
bench: setup
	$(BIN)/python bench/cli_startup.py
	$(BIN)/python bench/safety_eval.py
	$(BIN)/python bench/exposure.py
	$(BIN)/python bench/reports.py
	$(BIN)/python bench/web_today.py
	$(BIN)/python bench/web_load.py
	$(BIN)/python bench/import_contention.py

# Refresh constraints.txt from a clean install of the compatible ranges in pyproject.toml.
lock:
	rm -rf .lockvenv && $(PYTHON) -m venv .lockvenv
	.lockvenv/bin/pip install --quiet -e '.[dev]'
	.lockvenv/bin/pip freeze --exclude-editable | grep -v '^mitra' > constraints.txt
	rm -rf .lockvenv

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
