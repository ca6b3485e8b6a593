# Jingzhun: `make run` runs the whole system, `make test` runs the whole suite.
# Needs only Python 3.11+ and make; everything else is installed into .venv.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-fast test-slow check lint typecheck bench install clean token

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,local]'
	touch $(STAMP)

install: $(STAMP)

# make run WORKERS=4: four uvicorn worker processes per service (default 1; see docs/OPERATIONS.md, Speed)
run: $(STAMP)
	$(BIN)/jingzhun up $(if $(WORKERS),--workers $(WORKERS))

test: $(STAMP)
	$(BIN)/pytest -m "not slow" -q -p no:cacheprovider

test-slow: $(STAMP)
	$(BIN)/pytest -m slow -q -p no:cacheprovider

# The gates a change passes before it lands: lint, strict types on the platform and the services, the suite.
check: lint typecheck test

lint: $(STAMP)
	$(BIN)/ruff check shared services deploy tests

typecheck: $(STAMP)
	$(BIN)/mypy shared services

bench: $(STAMP)
	$(BIN)/python -m tests.bench

token: $(STAMP)
	$(BIN)/jingzhun token --role admin --area 440000000000

clean:
	rm -rf .data/test-* .pytest_cache .mypy_cache .ruff_cache
