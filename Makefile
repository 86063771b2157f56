# Chorus: `make help` lists every command. Only Python 3.11+ and make are needed.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_URL ?= redis://127.0.0.1:6379/0
PYTEST_WORKERS ?= 2

.PHONY: system-deps help run setup dev worker stream seed test test-postgres test-redis test-faults e2e lint fmt bench chromium clean prod-smoke fuzz messages compilemessages

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Chorus needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $(STAMP)

setup: $(STAMP) system-deps ## Create the virtualenv, install pinned dependencies, migrate and seed
	$(BIN)/chorus migrate --verbosity 0
	$(BIN)/chorus seed

run: $(STAMP) system-deps ## Set up, seed the demo and start the web server and task worker
	$(BIN)/chorus run

dev: $(STAMP) ## Run only the web server (auto-reload)
	$(BIN)/python manage.py runserver

worker: $(STAMP) ## Run only the task worker and scheduler
	$(BIN)/chorus worker

stream: $(STAMP) ## Run the Bluesky Jetstream consumer for linked accounts (its own process)
	$(BIN)/chorus stream

seed: $(STAMP) ## Create the demo organization (idempotent)
	$(BIN)/chorus seed

test: $(STAMP) system-deps ## Run the test suite (SQLite, inline tasks)
	TASK_BACKEND=immediate DATABASE_URL= $(BIN)/pytest -n $(PYTEST_WORKERS)

test-postgres: $(STAMP) ## The same suite on PostgreSQL with the Redis/RQ task queue
	DATABASE_URL=$(PG_URL) TASK_BACKEND=rq RQ_ASYNC=false REDIS_URL=$(REDIS_URL) $(BIN)/pytest -n $(PYTEST_WORKERS)

test-redis: $(STAMP) ## Scale-out tests: real RQ workers in separate processes on PostgreSQL
	DATABASE_URL=$(PG_URL) TASK_BACKEND=rq REDIS_URL=$(REDIS_URL) $(BIN)/pytest -m redis -p no:xdist

# Fault suite (chorus.common.tests): creates and drops its own PostgreSQL databases through
# FAULTS_PG_URL and FLUSHES the Redis database FAULTS_REDIS_URL, so give it one of its own.
FAULTS_PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
FAULTS_REDIS_URL ?= redis://127.0.0.1:6379/15
test-faults: $(STAMP) ## Fault suite: kill workers mid-task, cut PostgreSQL and Redis off, fill the disk
	FAULTS_PG_URL=$(FAULTS_PG_URL) FAULTS_REDIS_URL=$(FAULTS_REDIS_URL) TASK_BACKEND=immediate DATABASE_URL= \
	  $(BIN)/pytest -m faults -p no:xdist chorus
# Issue 11: the README's production sequence (DEBUG=false, migrate, collectstatic, gunicorn),
# fetched through. SQLite; also PostgreSQL with SMOKE_PG_URL=postgres://.../chorus_smoke.
SMOKE_PG_URL ?=
prod-smoke: $(STAMP) ## Start the app as in production (collectstatic, gunicorn) and fetch pages
	BIN=$(BIN) SMOKE_PG_URL=$(SMOKE_PG_URL) .ci/production-smoke.sh

system-deps: ## Install the Debian packages listed in deploy/system-packages.txt (skips what is there)
	@pkgs=$$(sed -e 's/#.*//' deploy/system-packages.txt | tr -s ' \t' '\n' | grep -v '^$$' || true); \
	missing=$$(for p in $$pkgs; do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "installing: $$missing"; apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; fi

chromium: ## Install Debian's Chromium if missing (never a browser download)
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

e2e: $(STAMP) chromium ## Playwright journeys in headless Chromium (screenshots in var/screenshots)
	TASK_BACKEND=immediate DATABASE_URL= DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -m e2e e2e -p no:xdist

# h11a: schemathesis against a live server (fresh SQLite in a temp dir), as admin and employee.
fuzz: $(STAMP) ## Fuzz the API from its OpenAPI schema (0 server errors, 0 schema violations)
	$(BIN)/python tools/fuzz_api.py

lint: $(STAMP) ## ruff, mypy and import-linter
	$(BIN)/ruff check .
	$(BIN)/mypy chorus config
	$(BIN)/lint-imports

# Issue 16: one catalog per app (chorus/<app>/locale), plus locale/ at the root for templates/
# and config/. The screening engine (no Django) marks its sentences with gettext_noop and keeps
# its catalog in chorus/screening/locale. To add a language: add it to LANGUAGES in
# config/settings.py and to MESSAGE_LOCALES here, run `make messages`, translate the .po files,
# run `make compilemessages`.
MESSAGE_LOCALES ?= de fr es pt_BR ar
MAKEMESSAGES = $(abspath $(BIN))/django-admin makemessages --settings=config.settings \
	--pythonpath=$(CURDIR) $(foreach l,$(MESSAGE_LOCALES),-l $(l)) --no-obsolete --add-location=file \
	--ignore 'tests/*' --ignore 'migrations/*'
messages: $(STAMP) ## Extract every marked string into the per-app .po catalogs
	@set -e; for dir in chorus/*/; do \
	  if [ -d $$dir/locale ] || grep -rqlE "gettext|translate|trans " $$dir --include=*.py --include=*.html --include=*.txt; then \
	    mkdir -p $$dir/locale; (cd $$dir && $(MAKEMESSAGES) >/dev/null); echo "  $$dir"; fi; done
	mkdir -p locale && $(MAKEMESSAGES) --ignore 'chorus/*' --ignore '.venv/*' --ignore 'var/*' \
	  --ignore 'e2e/*' --ignore 'bench/*' --ignore 'tests/*' >/dev/null
	$(MAKEMESSAGES) -d djangojs --ignore '.venv/*' --ignore 'var/*' --ignore 'node_modules/*' >/dev/null

compilemessages: $(STAMP) ## Compile the .po catalogs into the .mo files Django reads
	$(BIN)/django-admin compilemessages --settings=config.settings --pythonpath=$(CURDIR) \
	  --ignore '.venv/*' --ignore 'var/*' >/dev/null

fmt: $(STAMP) ## Format and autofix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP) ## Print the benchmark numbers
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) var
