# Two commands on a fresh machine: `make run` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test lint install setup clean

$(STAMP): requirements/dev.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.lock
	touch $(STAMP)

install: $(STAMP)

setup: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py setup_demo

# A local, single-user server: DEBUG on (static files from the source tree) unless told otherwise.
run: setup
	@echo "Serving on http://127.0.0.1:$(PORT)/"
	DEBUG=$${DEBUG:-true} $(PY) manage.py runserver 127.0.0.1:$(PORT)

# Browser tests use Debian's chromium when present, else Playwright's own build (downloaded once).
test: install
	@if [ -z "$$CHROMIUM_PATH" ] && ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then \
		$(PY) -m playwright install chromium; fi
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles .demo-password
