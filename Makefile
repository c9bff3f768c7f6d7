# Kaifang: `make build` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CATALOG ?= catalog
SITE ?= site

.PHONY: build serve test lint bench clean

build: $(VENV)/.installed
	$(BIN)/kaifang build --catalog $(CATALOG) --out $(SITE)

serve: $(VENV)/.installed
	$(BIN)/kaifang serve --catalog $(CATALOG) --out $(SITE)

test: $(VENV)/.test-installed
	$(BIN)/pytest

lint: $(VENV)/.test-installed
	$(BIN)/ruff check generator tests

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

clean:
	rm -rf $(VENV) $(SITE) .pytest_cache
