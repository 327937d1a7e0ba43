# The two commands a new machine needs:
#   make run   — install, migrate the embedded SQLite database, load the Dumai scenario (first start:
#               about a minute; later starts carry it on to today), serve on :8000
#               with the background worker beside it (jobs show their progress live)
#   make test  — install with dev dependencies and run the whole test suite
#               (SQLite by default; PostgreSQL when DATABASE_URL points at it)

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTEST_ARGS ?=

.PHONY: screenshots run test lint format install install-dev migrate demo messages bench clean help vendor-axe

help:
	@echo "make run    start Lindung on http://$(HOST):$(PORT) (SQLite, demo data)"
	@echo "make test   run the test suite (DATABASE_URL=postgres://... to run it on PostgreSQL)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: $(VENV)/.installed
	DEBUG=1 $(BIN)/lindung migrate --noinput -v 0
	DEBUG=1 $(BIN)/lindung demo dumai
	@echo ""
	@echo "  Lindung: http://$(HOST):$(PORT)/   (API docs: http://$(HOST):$(PORT)/api/v1/docs)"
	@echo ""
	DEBUG=1 $(BIN)/lindung run $(HOST):$(PORT)

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

screenshots: $(VENV)/.installed-dev
	LINDUNG_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BIN)/python -m pytest -q -n 0 -p no:cacheprovider tests/e2e/test_tour.py

# axe-core for the browser tests' accessibility checks, from the npm registry into var/vendor
# (never committed); the tests skip without it, and fail without it in CI.
AXE_VERSION ?= 4.14.1
vendor-axe:
	@test -f var/vendor/node_modules/axe-core/axe.min.js || (mkdir -p var/vendor && cd var/vendor && npm install --no-save --no-package-lock --silent axe-core@$(AXE_VERSION))

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(VENV)/.installed-dev
	cd lindung && ../$(BIN)/lindung makemessages -l id -l en --no-obsolete --add-location file
	$(BIN)/lindung i18n compile

bench: $(VENV)/.installed-dev
	@for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache
