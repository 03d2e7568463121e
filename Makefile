# The two commands a new user needs: `make demo` and `make test`. Each creates .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint quality bench clean browser-packages redis-server

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/archiver demo --db archive.db

# The distributed-crawl tests start their own redis-server (Debian's package) on 127.0.0.1.
redis-server:
	@command -v redis-server >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing redis-server (needed by the distributed-crawl tests)"; \
	    (apt-get install -y -qq redis-server >/dev/null 2>&1 || \
	     (apt-get update -qq && apt-get install -y -qq redis-server >/dev/null)); \
	  else \
	    echo "redis-server is missing: run 'sudo apt-get install redis-server', then make test"; \
	    exit 1; \
	  fi; }

# The browser test drives Debian's chromium through chromium-driver (no browser downloads).
# As root, install them (and the sqlite3 shell the docs' recipes use) when missing.
BROWSER_PACKAGES := chromium chromium-driver sqlite3
browser-packages:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && command -v sqlite3 >/dev/null; then \
		:; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing $(BROWSER_PACKAGES) for the browser test"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(BROWSER_PACKAGES) >/dev/null \
		|| { apt-get update -q >/dev/null && \
		     DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(BROWSER_PACKAGES) >/dev/null; }; \
	else \
		echo "tests/analysis/test_browser.py needs Debian packages: sudo apt-get install -y $(BROWSER_PACKAGES)"; \
	fi

test: $(STAMP) browser-packages redis-server
	$(BIN)/ruff check archiver spiders tests tools bench evaluation
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

# The extraction quality gate: archiver beside bare trafilatura on ../shared/corpus/wcxb-dev
# (or, when that is absent, the in-repo sample), plus the fixture sites; see docs/quality.md.
quality: $(STAMP)
	$(BIN)/python tools/quality.py --workers 2 --write docs/quality-table.md

lint: $(STAMP)
	$(BIN)/ruff check archiver spiders tests tools bench evaluation
	$(BIN)/mypy

# Benchmarks print ratios measured in the same run (never timed assertions in tests):
# `python -m bench` writes docs/benchmarks.md; then the standalone scripts (export memory,
# scale-out). BENCH_QUICK=1: the table at small sizes only, a couple of minutes, writes nothing.
# The first full run installs news-please (the peer) into its own venv, .bench-venvs/.
BENCH_SCRIPTS := bench/export_memory.py bench/scaling.py
bench: $(STAMP) redis-server
	$(BIN)/python -m bench $(if $(filter-out 0,$(BENCH_QUICK)),--quick,)
	$(if $(filter-out 0,$(BENCH_QUICK)),,for script in $(BENCH_SCRIPTS); do $(BIN)/python $$script || exit 1; done)

clean:
	rm -rf $(VENV) .bench-venvs archive.db archive.db-wal archive.db-shm warc
