# Two commands, each doing its own set-up on a machine with Python 3.11+ and pip:
#   make demo   install and start the platform on the embedded default (SQLite, bundled programme)
#   make test   install what the tests need and run them all (lint, types, tests)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $@

demo: $(VENV)/.installed
	$(BIN)/dataskydd demo

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint
	@# pytest exits 5 when it collected nothing: here that is a failure, said plainly.
	@$(BIN)/python -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: treated as a failure"; exit 1; fi; \
	exit $$status

clean:
	rm -rf $(VENV) .dataskydd .pytest_cache .mypy_cache .ruff_cache
