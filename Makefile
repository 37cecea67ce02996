# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)  ## crawl the bundled demo web, classify, store, report, print where to look
	$(BIN)/clinicwatch demo

test: $(STAMP)  ## the whole test suite (real HTTP servers on 127.0.0.x, real SQLite, real datasette)
	$(BIN)/python -m pytest -q

clean:
	rm -rf clinicwatch-demo report .pytest_cache tests/artifacts
