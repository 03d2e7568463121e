# The two commands a new user needs: `make demo` and `make test`. Each creates .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint quality bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/archiver demo --db archive.db

test: $(STAMP)
	$(BIN)/ruff check archiver spiders tests tools
	$(BIN)/python -m pytest -q

# The extraction quality gate: archiver beside bare trafilatura on ../shared/corpus/wcxb-dev
# (or, when that is absent, the in-repo sample), plus the fixture sites; see docs/quality.md.
quality: $(STAMP)
	$(BIN)/python tools/quality.py --workers 2 --write docs/quality-table.md

lint: $(STAMP)
	$(BIN)/ruff check archiver spiders tests tools

clean:
	rm -rf $(VENV) archive.db archive.db-wal archive.db-shm
