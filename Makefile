# Two entry points for a fresh machine: `make demo` (the main job) and `make test` (every test).
# Both create .venv and install the seven packages editable, plus the test plugin, and install
# the real agent CLIs (claude, copilot, codex) from the npm registry into .tools/ (git-ignored).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYPROJECTS := $(wildcard packages/*/pyproject.toml tests/plugins/*/pyproject.toml)
# The agent CLIs the end-to-end tests and the demo run (offline, against godel's fake model server).
TOOLS   := .tools
CLIS    := @anthropic-ai/claude-code@2.1.197 @github/copilot@1.0.102 @openai/codex@0.169.0
TSTAMP  := $(TOOLS)/.installed-2.1.197-1.0.102-0.169.0
export PATH := $(CURDIR)/$(TOOLS)/node_modules/.bin:$(PATH)

.PHONY: demo watch-demo test test-fast test-py310 lint bench install tools tmux browser postgres clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install when requirements or any pyproject (entry points live there) change.
$(STAMP): $(BIN)/python requirements-dev.txt $(PYPROJECTS)
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

$(TSTAMP):
	mkdir -p $(TOOLS)
	npm install --prefix $(TOOLS) --no-audit --no-fund --loglevel=error $(CLIS)
	touch $@

tools: $(TSTAMP)

# The watch view's end-to-end test drives a real terminal through tmux (Debian's package).
tmux:
	@command -v tmux >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		{ apt-get update -qq && apt-get install -y -qq tmux >/dev/null; }; } || \
		echo "tmux is missing: install it (apt-get install -y tmux) for the watch view's terminal test"

# godel-web's browser tests drive Debian's headless chromium through chromium-driver (Selenium;
# never a browser download of its own, which this network refuses).
browser:
	@{ command -v chromium >/dev/null && command -v chromedriver >/dev/null; } || \
		{ [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		{ apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; }; } || \
		echo "chromium is missing: install it (apt-get install -y chromium chromium-driver) for godel-web's browser tests"

# The PostgreSQL store's tests start a throwaway server with initdb/pg_ctl (Debian's package).
postgres:
	@{ command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; } || \
		{ [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		{ apt-get update -qq && apt-get install -y -qq postgresql >/dev/null; }; } || \
		echo "initdb is missing: install PostgreSQL (apt-get install -y postgresql) for the postgres tests"

# The main job: Claude Code writes a program, the Codex CLI runs it, the Copilot CLI reviews it
# (examples/pair.py), the three real CLIs answering from godel's scripted fake model server, offline.
demo: install tools
	$(BIN)/godel --version
	$(BIN)/python -m godel.testing.fake_model --script examples/pair.fake-model.json -- \
		$(BIN)/godel run examples/pair.py
	$(BIN)/godel show "$$(basename "$$(ls -t runs/*.jsonl | head -n 1)" .jsonl)"
	$(BIN)/godel runs list --limit 5
	$(BIN)/godel watch "$$(basename "$$(ls -t runs/*.jsonl | head -n 1)" .jsonl)" --plain

# The live view: Claude Code and the Copilot CLI review a patch side by side, then the view asks
# you whether to merge it (examples/parallel_review.py, offline against the fake model server).
watch-demo: install tools
	$(BIN)/python -m godel.testing.fake_model --script examples/parallel_review.fake-model.json -- \
		$(BIN)/godel run examples/parallel_review.py --watch

# ruff's lint and format checks over the whole repository (run first by `make test`).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# GODEL_REQUIRE_AGENT_CLIS / GODEL_REQUIRE_BROWSER / GODEL_REQUIRE_POSTGRES: a missing
# claude/copilot/codex, chromium or initdb fails the agent, browser and PostgreSQL tests instead
# of skipping them.
test: lint tools tmux browser postgres
	GODEL_REQUIRE_AGENT_CLIS=1 GODEL_REQUIRE_BROWSER=1 GODEL_REQUIRE_POSTGRES=1 $(BIN)/python -m pytest -q --durations=30

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow"

# Python 3.10, the oldest one supported, in a venv of its own: the tests not marked slow (about
# 7 minutes; the full suite passes there too). python3.10 from PATH or pyenv, else PY310=...
PY310   ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.10*/bin/python3.10) $(shell command -v python3.10))
VENV310 := .venv310
test-py310:
	@test -n "$(PY310)" && "$(PY310)" -c 'import sys; assert sys.version_info[:2] == (3, 10)' || \
		{ echo "no python3.10 found: make test-py310 PY310=/path/to/python3.10"; exit 1; }
	test -x $(VENV310)/bin/python || $(PY310) -m venv $(VENV310)
	$(VENV310)/bin/python -m pip install --quiet --upgrade pip
	$(VENV310)/bin/python -m pip install --quiet -r requirements-dev.txt
	$(VENV310)/bin/python -m pytest -q -m "not slow"

bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) $(VENV310) $(TOOLS) dist build .pytest_cache .hypothesis
