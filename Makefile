# Two commands do all set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONFIG ?= config/demo.toml
# The demo site is dated April-May 2025: run its weekly job as of Monday 19 May, 08:00.
DEMO_NOW ?= 2025-05-19T08:00

.PHONY: run test lint bench bench-select bench-recollect clean

$(BIN)/digest: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.test-deps: pyproject.toml $(BIN)/digest
	$(BIN)/pip install -q -e '.[test]'
	touch $@

run: $(BIN)/digest
	$(BIN)/digest --config $(CONFIG) run --now $(DEMO_NOW)

# Test-only npm packages (axe-core, caniemail data); tests/conftest.py also runs this when they are missing.
tests/node/node_modules/.package-lock.json: tests/node/package-lock.json
	cd tests/node && npm ci --no-audit --no-fund

test: $(VENV)/.test-deps tests/node/node_modules/.package-lock.json
	$(BIN)/ruff check digest tests bench
	$(BIN)/mypy digest
	$(BIN)/lint-imports
	$(BIN)/pytest -q

bench: $(BIN)/digest
	$(BIN)/python bench/ingest.py

bench-select: $(BIN)/digest
	$(BIN)/python bench/selection.py

bench-recollect: $(BIN)/digest
	$(BIN)/python bench/recollect.py

clean:
	rm -rf $(VENV) out var tests/node/node_modules
