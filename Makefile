# Two commands do all set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONFIG ?= config/demo.toml
# The demo site is dated April-May 2025: run its weekly job as of Monday 19 May, 08:00.
DEMO_NOW ?= 2025-05-19T08:00

.PHONY: run test deps lint bench bench-select bench-recollect bench-desk clean

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

# The Debian tools the suite needs (it fails, never skips, without them): chromium for the layout and
# archive tests, spamassassin for the pre-send report (spamd and spamc for its [email] spamd path), node
# and npm for axe-core and caniemail data, and Liberation Sans: the email's font stack ends in Helvetica,
# Arial, and the layout tests measure text in Arial's metrics, as readers' clients do. Installed when root
# (as in CI); otherwise the one command to run.
TEST_DEBS := chromium spamassassin spamc spamd nodejs npm fonts-liberation

deps:
	@need=""; \
	command -v chromium >/dev/null 2>&1 || need="$$need chromium"; \
	command -v spamassassin >/dev/null 2>&1 || need="$$need spamassassin"; \
	command -v spamc >/dev/null 2>&1 || need="$$need spamc"; \
	command -v spamd >/dev/null 2>&1 || need="$$need spamd"; \
	command -v npm >/dev/null 2>&1 || need="$$need nodejs npm"; \
	fc-list 2>/dev/null | grep -q "Liberation Sans" || need="$$need fonts-liberation"; \
	[ -z "$$need" ] && exit 0; \
	if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then \
	  echo "error: make test needs$$need (missing). Install them as root first, then run make test again:" >&2; \
	  echo "  sudo apt-get update && sudo apt-get install -y $(TEST_DEBS)" >&2; \
	  exit 1; \
	fi; \
	echo "installing$$need (apt-get, for the tests)"; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$need >/dev/null

# Test-only npm packages (axe-core, caniemail data); tests/conftest.py also runs this when they are missing.
tests/node/node_modules/.package-lock.json: tests/node/package-lock.json | deps
	cd tests/node && npm ci --no-audit --no-fund

test: deps $(VENV)/.test-deps tests/node/node_modules/.package-lock.json
	$(BIN)/ruff check digest tests bench
	$(BIN)/mypy digest
	$(BIN)/lint-imports
	$(BIN)/pytest -q -n 2

bench: $(BIN)/digest
	$(BIN)/python bench/ingest.py

bench-select: $(BIN)/digest
	$(BIN)/python bench/selection.py

bench-recollect: $(BIN)/digest
	$(BIN)/python bench/recollect.py

# Issue 21: a desk change to the updated email on screen, in Chromium (exits 1 when p95 > 150 ms).
bench-desk: $(VENV)/.test-deps
	$(BIN)/python bench/desk.py

clean:
	rm -rf $(VENV) out var tests/node/node_modules
