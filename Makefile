# Newsroom: `make run` serves the demo newsroom, `make test` runs every test,
# `make test-fast` is the developer's loop (SQLite; no browser, HTML checker or demo build).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The PostgreSQL run of the test suite; pytest-django creates and drops test_<name>.
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/newsroom
SQLITE_TEST_URL ?= sqlite:///var/test.sqlite3
PYTEST_ARGS ?=

.PHONY: install run serve worker test test-fast test-sqlite test-postgres lint format demo clean bench test-tools

install: $(BIN)/.installed

# Test-only tools from npm (the Nu Html Checker and axe-core), pinned in package-lock.json.
# --ignore-scripts: vnu-jar's install script would fetch a Java of its own; we use the system's.
test-tools: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py make_renditions
	$(MAKE) serve

serve: install
	$(BIN)/gunicorn -c newsroom/gunicorn.conf.py newsroom.wsgi --bind $(HOST):$(PORT)

# Runs the side effects of stories going live (cache purge, email); safe to run twice.
worker: install
	$(BIN)/python manage.py run_publication_events --loop

test: install lint test-sqlite test-postgres

# The developer's own loop: lint, then SQLite without the tests marked `browser` (Chromium)
# or `slow` (the Nu Html Checker on Java, the whole demo network); `make test` runs them all.
test-fast: install lint
	@echo "== Fast tests on SQLite (no browser, no HTML checker, no demo build) =="
	DATABASE_URL=$(SQLITE_TEST_URL) $(BIN)/pytest -m "not browser and not slow" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

# The browser and heavy tests (marked `browser`, `slow`) drive whole servers and tools whose
# behaviour does not depend on the database, so they run once, on PostgreSQL, the database
# production uses; SQLite runs everything else. SQLITE_MARKS= runs them on SQLite too.
SQLITE_MARKS ?= not browser and not slow
test-sqlite: install test-tools
	@echo "== Test suite on SQLite ($(or $(SQLITE_MARKS),every test)) =="
	DATABASE_URL=$(SQLITE_TEST_URL) $(BIN)/pytest $(if $(SQLITE_MARKS),-m "$(SQLITE_MARKS)") $(PYTEST_ARGS)

test-postgres: install test-tools
	@echo "== Test suite on PostgreSQL =="
	DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest $(PYTEST_ARGS)

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache node_modules

# Benchmark on PostgreSQL + Redis with wrk: `make bench ARTICLES=100000` (see bench/run.py).
ARTICLES ?= 10000
BENCH_ARGS ?=
bench: install
	$(BIN)/python bench/run.py --articles $(ARTICLES) $(BENCH_ARGS)
