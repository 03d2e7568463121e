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
	$(BIN)/ruff check archiver spiders tests tools bench
	$(BIN)/python -m pytest -q

# Benchmarks against the physical limits and a peer (docs/benchmarks.md); BENCH_QUICK=1: small.
bench: $(STAMP)
	$(BIN)/python -m bench $(if $(filter-out 0,$(BENCH_QUICK)),--quick,)

lint: $(STAMP)
	$(BIN)/ruff check archiver spiders tests tools bench

clean:
	rm -rf $(VENV) archive.db archive.db-wal archive.db-shm
