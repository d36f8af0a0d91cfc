# Two commands for a fresh Debian machine: `make run` and `make test`. `make setup` is the
# set-up both share; every step is skipped when nothing it depends on has changed.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/council
STAMPS := .make
ASSET_SOURCES := $(shell find site/static_src -type f 2>/dev/null)

.PHONY: run test setup deps assets messages db lint format test-sqlite test-postgres clean bench-search
.PHONY: browser-deps test-browser

run: setup
	$(PY) manage.py create_demo_users --port $(PORT)
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: setup lint test-sqlite test-postgres test-browser

setup: deps assets messages db

deps: $(STAMPS)/python $(STAMPS)/npm

assets: site/static/css/council.css

# The site's own translations (Welsh, Polish, Arabic), compiled from the committed .po files.
MESSAGES := $(patsubst %.po,%.mo,$(wildcard site/locale/*/LC_MESSAGES/django.po))
messages: $(MESSAGES)

site/locale/%/LC_MESSAGES/django.mo: site/locale/%/LC_MESSAGES/django.po $(STAMPS)/system
	msgfmt --check-format -o $@ $<

db: deps
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py load_demo_content
	$(PY) manage.py simulate_flow_journeys
	$(PY) manage.py update_index > /dev/null

$(STAMPS)/system:
	@mkdir -p $(STAMPS)
	@command -v npm > /dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q nodejs npm; \
	  else echo "Install Node.js and npm (sudo apt-get install nodejs npm)"; exit 1; fi; }
	@command -v msgfmt > /dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q gettext; \
	  else echo "Install gettext (sudo apt-get install gettext)"; exit 1; fi; }
	@$(PYTHON) -c 'import venv, ensurepip' 2> /dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q python3-venv; \
	  else echo "Install python3-venv (sudo apt-get install python3-venv)"; exit 1; fi; }
	@touch $@

$(STAMPS)/python: pyproject.toml $(STAMPS)/system
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

$(STAMPS)/npm: package.json package-lock.json $(STAMPS)/system
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

site/static/css/council.css: $(STAMPS)/npm $(ASSET_SOURCES)
	npm run --silent build

lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: deps
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test-sqlite: deps assets messages
	@echo "== Test suite on SQLite =="
	env -u DATABASE_URL $(VENV)/bin/pytest --ignore=tests/browser

test-postgres: deps assets messages
	@echo "== Test suite on PostgreSQL ($(PG_URL)) =="
	DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest --ignore=tests/browser

# Accessibility in a real browser: Debian's chromium driven by playwright (which never downloads
# a browser of its own), axe-core from npm, against the site served on a fresh database of its own.
CHROMIUM := /usr/bin/chromium
browser-deps:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q chromium; \
	  else echo "Install Chromium for the browser tests (sudo apt-get install chromium)"; exit 1; fi; }

test-browser: deps assets messages browser-deps
	@echo "== Browser accessibility tests (chromium, axe-core, WCAG 2.2 AA) =="
	env -u DATABASE_URL $(VENV)/bin/pytest tests/browser

# A PostgreSQL database of the benchmarks' own, created when missing.
create_db = @psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$(1)'" \
  | grep -q 1 || psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $(1)"

# Search latency on PostgreSQL with the demo content, then 5,000 and 50,000 generated pages,
# in a database of its own (council_bench), which it keeps for the next run.
BENCH_URL ?= postgres://postgres@127.0.0.1:5432/council_bench
bench-search: deps assets
	$(call create_db,council_bench)
	DATABASE_URL=$(BENCH_URL) $(PY) manage.py migrate --no-input -v 0
	DATABASE_URL=$(BENCH_URL) $(PY) manage.py load_demo_content
	DATABASE_URL=$(BENCH_URL) $(PY) manage.py update_index > /dev/null
	DATABASE_URL=$(BENCH_URL) $(PY) manage.py search_benchmark

# Drop-off report speed on PostgreSQL: 1,000,000 generated flow events for the demo flows,
# rolled up, then the report and KPIs timed, in a database of its own (council_insights_bench).
INSIGHTS_BENCH_URL ?= postgres://postgres@127.0.0.1:5432/council_insights_bench
.PHONY: bench-insights
bench-insights: deps assets
	$(call create_db,council_insights_bench)
	DATABASE_URL=$(INSIGHTS_BENCH_URL) $(PY) manage.py migrate --no-input -v 0
	DATABASE_URL=$(INSIGHTS_BENCH_URL) $(PY) manage.py load_demo_content
	DATABASE_URL=$(INSIGHTS_BENCH_URL) $(PY) manage.py insights_benchmark

clean:
	rm -rf $(STAMPS) $(VENV) node_modules site/static static_collected db.sqlite3
