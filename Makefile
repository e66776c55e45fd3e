# Two commands do all set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONFIG ?= config/demo.toml

.PHONY: run test lint bench clean

$(BIN)/digest: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.test-deps: pyproject.toml $(BIN)/digest
	$(BIN)/pip install -q -e '.[test]'
	touch $@

run: $(BIN)/digest
	$(BIN)/digest --config $(CONFIG) collect

test: $(VENV)/.test-deps
	$(BIN)/ruff check digest tests bench
	$(BIN)/mypy digest
	$(BIN)/pytest -q

bench: $(BIN)/digest
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) out var
