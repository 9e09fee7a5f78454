# make run: set up, migrate, load the demo plan and serve it.  make test: set up and run the tests.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
FLASK := $(BIN)/flask --app wsgi
PYTHON ?= python3

.PHONY: run test setup setup-dev assets migrate demo lint bench bench-load clean chromium report-deps audit bandit

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime-installed $@

tracker/static/govuk/.built: package.json package-lock.json scripts/build_assets.sh
	./scripts/build_assets.sh
	touch $@

assets: tracker/static/govuk/.built

setup: $(VENV)/.runtime-installed assets report-deps

setup-dev: $(VENV)/.dev-installed assets

migrate: setup
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) tracker load-demo

run: demo
	@echo
	@echo "The tracker is at http://127.0.0.1:$(PORT)  (Ctrl+C stops it)"
	@echo
	$(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers 2 --threads 4 --access-logfile - wsgi:app

# Browser tests drive Debian's chromium; install it when it is missing (needs root, as on CI).
chromium:
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# PDF reports (WeasyPrint) need Pango and a font on the machine; install them when missing (needs root).
report-deps:
	@{ ldconfig -p | grep -q libpangoft2-1.0 && find /usr/share/fonts -iname '*.ttf' 2>/dev/null | grep -qiE 'dejavu|liberation'; } || { \
	  echo "Installing Pango and fonts for the PDF reports"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null; } || { \
	    echo "PDF reports need Pango and a font. Install them with: apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core"; exit 1; }; }

# Known vulnerabilities in the installed packages (says plainly when its service cannot be reached).
audit: setup-dev
	$(BIN)/python scripts/audit_dependencies.py

# Static security checks of the application code (settings in pyproject.toml).
bandit: setup-dev
	$(BIN)/bandit -q -c pyproject.toml -r .

# Collect the suite twice first: ids that differ between processes would abort the xdist run by chance.
test: setup-dev chromium report-deps audit bandit
	$(BIN)/python scripts/check_test_ids.py
	$(BIN)/pytest -n 2 --dist loadgroup -q $(PYTEST_ARGS)

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: setup-dev
	$(BIN)/python -m bench

# Load: Locust (in its own environment, .venv-bench, so make test never needs it) against gunicorn.
.venv-bench/.installed: requirements-bench.txt
	$(PYTHON) -m venv .venv-bench
	.venv-bench/bin/pip install --quiet -r requirements-bench.txt
	touch $@

bench-load: setup-dev .venv-bench/.installed
	$(BIN)/python -m bench.load $(BENCH_LOAD_ARGS)

clean:
	rm -rf $(VENV) node_modules tracker/static/govuk
