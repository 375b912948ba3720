# TiAn — `make run` to try it, `make test` to test it. Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEV_ENV := DEBUG=1
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run serve migrate demo demo-code test lint audit bench lock messages clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput

demo: migrate
	$(DEV_ENV) $(BIN)/python manage.py load_demo

# The current two-factor code of the demo's staff, supervisor and administrator accounts.
demo-code: install
	@$(DEV_ENV) $(BIN)/python manage.py demo_code

run: demo
	@echo "TiAn is starting on http://$(HOST):$(PORT)/ with its task worker (Ctrl-C stops both)"
	$(DEV_ENV) $(BIN)/python manage.py db_worker --reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The import contract (layers, pyproject.toml's [tool.importlinter]) first: CI runs this target.
test: install
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

# Load test under gunicorn on PostgreSQL and SQLite with 1,000 and 100,000 synthetic proposals (needs wrk);
# writes docs/benchmarks.md. BENCH_SIZES, BENCH_SECONDS, BENCH_DATABASES and BENCH_ROWS narrow it.
bench: install
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python scripts/bench.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Security: ruff's bandit rules over the code, and the locked dependencies against PyPI's vulnerability data.
# --strict: a dependency that could not be checked (no vulnerability data reachable, as on an intranet without
# a mirror) fails the audit instead of being reported as clean.
audit: install
	$(BIN)/ruff check --select S --ignore S101,S311 .
	$(BIN)/pip-audit -r constraints.txt --no-deps --disable-pip --progress-spinner off --strict

messages: install
	$(DEV_ENV) $(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --no-location --ignore=.venv --ignore=tests
	$(DEV_ENV) $(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv

lock: install
	{ echo "# Pinned versions for a reproducible install: pip install -c constraints.txt -e '.[dev]'"; \
	  echo "# Regenerate with 'make lock' after changing pyproject.toml."; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -v "^#"; } > constraints.txt

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
