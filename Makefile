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
	$(PY) manage.py create_demo_requests --port $(PORT)
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# Each stage's time is printed at the end (make/stage-times): CI allows 90 minutes in all.
test: test-clock setup lint test-sqlite test-postgres test-fuzz test-scan test-browser
	@$(PYTHON) .ci/stage_times.py $(STAMPS)/stage-times

# The suites run in two processes (pytest-xdist; the machine has 2 cores), each with its own
# test database and media folders, a whole class or module to a process (it shares set-up data);
# TransactionTestCases after them, in one process (see tests/conftest.py).
XDIST := -n 2 --dist loadscope
# The browser tests share nothing but the site each process serves (set up once a process), so
# they are dealt out one by one: most are one module's parameters (every flow, every page).
BROWSER_XDIST := -n 2 --dist load
# A stage notes when it started and how long it took, for the table at the end of `make test`.
stage_start = @mkdir -p $(STAMPS) && date +%s > $(STAMPS)/started-$@
stage_end = @echo "$@ $$(( $$(date +%s) - $$(cat $(STAMPS)/started-$@) ))" >> $(STAMPS)/stage-times

.PHONY: test-clock
test-clock:
	@mkdir -p $(STAMPS) && echo "start $$(date +%s)" > $(STAMPS)/stage-times

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
	$(PY) manage.py simulate_searches
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
	@# ClamAV's clamscan: the upload tests scan with it, against a signature database they build
	@# (never freshclam). Production runs clamd and sets CLAMAV_COMMAND=clamdscan.
	@command -v clamscan > /dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && \
	    apt-get install -y -q --no-install-recommends clamav; \
	  else echo "Install ClamAV (sudo apt-get install clamav)"; exit 1; fi; }
	@# wrk: the HTTP load generator `make bench` drives the server with.
	@command -v wrk > /dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && \
	    apt-get install -y -q --no-install-recommends wrk; \
	  else echo "Install wrk (sudo apt-get install wrk)"; exit 1; fi; }
	@# redis-server: the reliability tests start one of their own, then kill it.
	@command -v redis-server > /dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && \
	    apt-get install -y -q --no-install-recommends redis-server; \
	  else echo "Install Redis (sudo apt-get install redis-server)"; exit 1; fi; }
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
	$(stage_start)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	PYTHONPATH=site $(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy
	$(stage_end)

format: deps
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# SQLite (`make run`'s database) runs what differs between the engines and what the demo relies
# on (the `sqlite` marker: SQLITE_ALSO in tests/conftest.py); PostgreSQL, production's, all.
test-sqlite: deps assets messages
	@echo "== Tests of what differs on SQLite, and of what make run relies on =="
	$(stage_start)
	env -u DATABASE_URL $(VENV)/bin/pytest --ignore=tests/browser -m "sqlite and not transactional" $(XDIST)
	env -u DATABASE_URL $(VENV)/bin/pytest --ignore=tests/browser -m "sqlite and transactional"
	$(stage_end)

test-postgres: deps assets messages
	@echo "== Test suite on PostgreSQL ($(PG_URL)) =="
	$(stage_start)
	DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest --ignore=tests/browser -m "not transactional" $(XDIST)
	DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest --ignore=tests/browser -m transactional
	$(stage_end)

# --- Reliability -----------------------------------------------------------------------------
# 10,000 generated inputs at every step of each of the 20 demo flows, on PostgreSQL, no 5xx
# (tests/demo/test_fuzz_demo_flows.py; the normal suites run the same test with 100 each).
# Two processes, ten flows each, in databases of their own (test_council_fuzz0 and 1).
FUZZ_INPUTS_PER_FLOW ?= 10000
FUZZ_PG_URL ?= postgres://postgres@127.0.0.1:5432/council_fuzz
.PHONY: test-fuzz
test-fuzz: deps assets messages
	@echo "== $(FUZZ_INPUTS_PER_FLOW) generated inputs per demo flow on PostgreSQL, no 5xx =="
	$(stage_start)
	@pids=""; for shard in 0 1; do \
	  DATABASE_URL=$(FUZZ_PG_URL)$$shard FUZZ_SHARD=$$shard/2 \
	    FUZZ_INPUTS_PER_FLOW=$(FUZZ_INPUTS_PER_FLOW) TEST_MEDIA_ROOT=/tmp/council-fuzz$$shard-media \
	    TEST_PRIVATE_MEDIA_ROOT=/tmp/council-fuzz$$shard-private \
	    $(VENV)/bin/pytest -q -s -p no:cacheprovider tests/demo/test_fuzz_demo_flows.py \
	    -k generated_inputs_on & pids="$$pids $$!"; \
	done; status=0; for pid in $$pids; do wait $$pid || status=1; done; exit $$status
	$(stage_end)

# A bounded web-vulnerability scan (about 3 minutes): wapiti crawls the site served by gunicorn
# with the demo content, in a PostgreSQL database made fresh for it (council_scan), and attacks
# it (xss, stored xss, sql, redirect, crlf, exec); no finding and no 500
# (tests/council/test_scanner.py, which the normal suites skip).
SCAN_DB ?= council_scan
.PHONY: test-scan
test-scan: deps assets messages $(STAMPS)/wapiti
	@echo "== Web-vulnerability scan (wapiti) of the demo site on PostgreSQL, no finding =="
	$(stage_start)
	@psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $(SCAN_DB) WITH (FORCE)" \
	  -c "CREATE DATABASE $(SCAN_DB)"
	SCAN=1 SCAN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(SCAN_DB) \
	  $(VENV)/bin/pytest -q -s -p no:cacheprovider tests/council/test_scanner.py
	$(stage_end)

# wapiti, Debian's web-vulnerability scanner, for test-scan only.
$(STAMPS)/wapiti: $(STAMPS)/system
	@command -v wapiti > /dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && \
	    apt-get install -y -q --no-install-recommends wapiti; \
	  else echo "Install wapiti (sudo apt-get install wapiti)"; exit 1; fi; }
	@touch $@
# --- end of Reliability -----------------------------------------------------------------------

# Accessibility in a real browser: Debian's chromium driven by playwright (which never downloads
# a browser of its own), axe-core from npm, against the site served on a fresh database of its own.
CHROMIUM := /usr/bin/chromium
browser-deps:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q chromium; \
	  else echo "Install Chromium for the browser tests (sudo apt-get install chromium)"; exit 1; fi; }

test-browser: deps assets messages browser-deps
	@echo "== Browser accessibility tests (chromium, axe-core, WCAG 2.2 AA) =="
	$(stage_start)
	env -u DATABASE_URL $(VENV)/bin/pytest tests/browser $(BROWSER_XDIST)
	$(stage_end)

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

# --- Web serving and its benchmark ------------------------------------------------------------
# The production server: gunicorn (site/council/gunicorn.conf.py) with the production settings
# on PORT. It needs at least SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL (PostgreSQL), REDIS_URL, and
# STRIPE_SECRET_KEY + STRIPE_WEBHOOK_SECRET; run `manage.py migrate` and `collectstatic` first.
# Optional: WEB_CONCURRENCY (workers, 2 x cores + 1), HOST (127.0.0.1), TRUSTED_PROXIES,
# PAGE_CACHE_SECONDS / PAGE_CACHE_MAX_AGE / PAGE_CACHE_S_MAXAGE, and for the CDN purge on publish
# FRONTEND_CACHE_PURGE_URL, or CLOUDFLARE_ZONE_ID + CLOUDFLARE_BEARER_TOKEN, or
# CLOUDFRONT_DISTRIBUTION_ID (see the Caching and CDN block in site/council/settings/production.py).
.PHONY: serve bench
serve: deps assets messages
	DJANGO_SETTINGS_MODULE=council.settings.production PORT=$(PORT) \
	  $(VENV)/bin/gunicorn -c site/council/gunicorn.conf.py

# The site under load on this machine (about 8 minutes): gunicorn with the production settings on
# loopback (payments on the sandbox's test page: no money moves), the demo in council_bench and
# Redis database 5 (flushed). wrk for each page kind against a plain Django view, with the
# workers' CPU per request: content pages, search, and every page of a flow (first question,
# a valid answer, an answer left out and its error, check your answers, the confirmation), each
# first checked to be the page meant; a 60 s soak at 50 connections; page sizes; the workers'
# memory; then 100 residents each going through whole demo flows (one paid), first with no
# time on any page for 30 s (what the site can serve), then spending 1-3 s on each page for 60 s
# (the surge): journeys a second, p50/p95 per page, errors, submissions saved against
# confirmations seen. PASS/FAIL per goal (site/benchmarks/management/commands/web_benchmark.py).
# BENCH_SECONDS (15), BENCH_CONNECTIONS (20), BENCH_SOAK_SECONDS (60), BENCH_PORT (8401),
# BENCH_SURGE_RESIDENTS (100), BENCH_SURGE_SECONDS (60), BENCH_SURGE_THINK (1-3),
# BENCH_CAPACITY_SECONDS (30), BENCH_REDIS_URL (redis://.../5).
bench: deps assets messages $(STAMPS)/system
	$(call create_db,council_bench)
	DATABASE_URL=$(BENCH_URL) $(PY) manage.py migrate --no-input -v 0
	DATABASE_URL=$(BENCH_URL) $(PY) manage.py load_demo_content
	DATABASE_URL=$(BENCH_URL) $(PY) manage.py update_index > /dev/null
	DATABASE_URL=$(BENCH_URL) $(PY) manage.py web_benchmark
# --- end of web serving ----------------------------------------------------------------------

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
	rm -rf $(STAMPS) $(VENV) node_modules site/static static_collected db.sqlite3 db.sqlite3-wal db.sqlite3-shm
