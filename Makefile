# Two commands on a fresh machine: `make run` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test lint install setup clean bench bench-report bench-scale bench-hub bench-hostile

$(STAMP): requirements/dev.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.lock
	touch $(STAMP)

# The translation catalogs are compiled every time (a second or so): an edited .po is never stale.
install: $(STAMP)
	$(PY) manage.py compile_translations --quiet

# collectstatic: with DEBUG off, whitenoise serves the static files from STATIC_ROOT (staticfiles/).
setup: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py collectstatic --no-input --verbosity 0
	$(PY) manage.py setup_demo

# This machine's own SECRET_KEY for `make run`, made once and kept in .secret-key (git ignores it),
# so the local server never signs sessions with the settings' public fallback.
.secret-key:
	@umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

# A local, single-user server, as in production: DEBUG off (the site's error pages, the collected
# static files through whitenoise); `DEBUG=true make run` for development (Django's debug pages,
# static files from the source tree). SITE_URL (the links in e-mails) is the address served here
# and SECRET_KEY the one in .secret-key, unless told otherwise.
run: setup .secret-key
	@echo "Serving on http://127.0.0.1:$(PORT)/"
	DEBUG=$${DEBUG:-false} SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} \
		SECRET_KEY="$${SECRET_KEY:-$$(cat .secret-key)}" LOG_FORMAT=$${LOG_FORMAT:-text} \
		$(PY) manage.py runserver 127.0.0.1:$(PORT)

# Browser tests use Debian's chromium when present, else Playwright's own build (downloaded once).
# Tests close database connections at the end of each request (CONN_MAX_AGE=0, Django's default):
# a connection kept by a live-server thread or a worker would outlive the test database.
test: install
	@if [ -z "$$CHROMIUM_PATH" ] && ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then \
		$(PY) -m playwright install chromium; fi
	CONN_MAX_AGE=0 $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports

# Benchmarks, one figure per line (`name: value unit`): first the PDF report's (docs/report.md),
# then the pages, the API lists and a load run at the size of the whole system (docs/dashboards.md).
bench: bench-report bench-scale bench-hub

# The report: a fresh SQLite database in /tmp with the demo data, or the database DATABASE_URL names.
BENCH_DB ?= sqlite:////tmp/unct-swap-bench.sqlite3
bench-report: install
	@if [ -z "$$DATABASE_URL" ]; then rm -f /tmp/unct-swap-bench.sqlite3; fi
	@DATABASE_URL=$${DATABASE_URL:-$(BENCH_DB)} $(PY) manage.py migrate --no-input -v 0
	@DATABASE_URL=$${DATABASE_URL:-$(BENCH_DB)} $(PY) manage.py setup_demo --no-users >/dev/null
	@DATABASE_URL=$${DATABASE_URL:-$(BENCH_DB)} $(PY) manage.py bench_report $(BENCH_ARGS)

# 150 teams x 8 years (seed_synthetic), page and API timings in-process, then 200 Locust users
# against gunicorn on loopback. Use PostgreSQL (DATABASE_URL): SQLite locks under concurrent saves.
# REDIS_URL, when set, holds the cache and the broker as in production.
BENCH_SCALE_DB ?= $(or $(DATABASE_URL),sqlite:///$(CURDIR)/bench.sqlite3)
bench-scale: install
	@DATABASE_URL=$(BENCH_SCALE_DB) $(PY) manage.py migrate --no-input -v 0
	@DATABASE_URL=$(BENCH_SCALE_DB) $(PY) manage.py seed_synthetic --teams 150 --years 8 --reset
	@DATABASE_URL=$(BENCH_SCALE_DB) $(PY) bench/pages/run.py
	@DATABASE_URL=$(BENCH_SCALE_DB) PY=$(PY) sh bench/pages/load.sh

# The Knowledge Hub's search (bench/hub/run.py): 10,000 published items in the six languages and
# 50,000 private evidence rows on the synthetic teams (seeded by bench-scale, else here); the
# targets (search p95 <= 100 ms, the Hub page <= 10 queries) are PostgreSQL's. The hub items are
# deleted at the end: seed_synthetic --reset cannot delete a team that has some.
bench-hub: install
	@DATABASE_URL=$(BENCH_SCALE_DB) $(PY) manage.py migrate --no-input -v 0
	@DATABASE_URL=$(BENCH_SCALE_DB) $(PY) manage.py seed_hub_synthetic >/dev/null
	@DATABASE_URL=$(BENCH_SCALE_DB) $(PY) bench/hub/run.py
	@DATABASE_URL=$(BENCH_SCALE_DB) $(PY) manage.py seed_hub_synthetic --delete >/dev/null

# Hostile input and outages against gunicorn as in production (bench/hostile/run.py): one line per figure.
bench-hostile: install
	@$(PY) bench/hostile/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 bench.sqlite3 media staticfiles .demo-password .secret-key
