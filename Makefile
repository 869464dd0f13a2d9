# One command each for the demo and the tests; both work on a fresh machine with python3 >= 3.11.
VENV ?= .venv
PYTHON ?= python3
BIN = $(VENV)/bin

.PHONY: install demo serve test test-fast lint format golden bench bench-dashboard clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,cluster]'
	touch $@

install: $(BIN)/.installed

demo: install
	$(BIN)/xxgk demo

serve: install
	$(BIN)/xxgk serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Two worker processes, each test file on one of them (its module fixtures are built once): README, Tests.
test: lint
	$(BIN)/pytest -q -n 2 --dist loadfile

# The fast lane: everything but the suites marked slow (generated corpora, warehouses, browser, demo).
test-fast: install
	$(BIN)/pytest -q -m "not slow"

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

golden: install
	$(BIN)/pytest -q tests/test_golden.py tests/test_patterns.py --update-golden

bench: install
	$(BIN)/python benchmarks/ingest_bench.py

bench-dashboard: install
	$(BIN)/python benchmarks/dashboard_bench.py

clean:
	rm -rf $(VENV) demo data screenshots .pytest_cache .mypy_cache .ruff_cache .hypothesis
