# Two entry points for a fresh machine: `make demo` (the main job) and `make test` (every test).
# Both create .venv and install the five packages editable, plus the test plugin.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYPROJECTS := $(wildcard packages/*/pyproject.toml tests/plugins/*/pyproject.toml)

.PHONY: demo test test-fast bench install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install when requirements or any pyproject (entry points live there) change.
$(STAMP): $(BIN)/python requirements-dev.txt $(PYPROJECTS)
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/godel --version
	$(BIN)/godel plugins
	$(BIN)/godel run examples/hello.py -- world
	$(BIN)/godel show "$$(basename "$$(ls -t runs/*.jsonl | head -n 1)" .jsonl)" --graph
	$(BIN)/godel runs list --limit 5

test: install
	$(BIN)/python -m pytest -q

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow"

bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) dist build .pytest_cache .hypothesis
