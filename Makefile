# geo_portal: `make demo` runs the whole stack, `make test` runs every check.
# Both install what is missing first (apt packages, the virtualenv, the front-end packages)
# and start a project-local PostGIS cluster under var/. See README.md.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_BIN ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# 127.0.0.1: this computer only, with DEBUG on. Another address shares the demo on a
# network, with a warning and DEBUG off (scripts/run_demo.py).
HOST ?= 127.0.0.1
PGPORT ?= 55432
DEMO_UNIT ?= 026101_1
DEMO_NAME ?= Legnica
DEMO_PARCELS ?= 10000
DEMO_SEED ?= 1
STAMPS := var/stamps
export PGPORT
export DATABASE_URL ?= postgis://postgres@127.0.0.1:$(PGPORT)/geo_portal

.PHONY: help setup system venv frontend db migrate translations demo demo-data stop test lint bench clean screenshots

help:
	@echo "make demo   - install what is missing, start PostGIS, load a demo gmina, run web+MapProxy+worker"
	@echo "make test   - the same set-up, then lint, Django checks and the whole test suite"
	@echo "make bench  - benchmarks (table on screen, JSON in bench/results/)"
	@echo "make stop   - stop a running demo and the database"

$(STAMPS):
	@mkdir -p $(STAMPS)

system: | $(STAMPS)
	@scripts/setup-system.sh

# The virtualenv is rebuilt only when pyproject.toml changes.
$(STAMPS)/venv: pyproject.toml | $(STAMPS)
	@test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	@echo "==> installing Python packages into $(VENV)"
	@$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $@
venv: system $(STAMPS)/venv

# Front-end packages come from the npm registry with the lock file; rebuilt when sources change.
$(STAMPS)/frontend: package.json package-lock.json $(shell find frontend -type f 2>/dev/null) | $(STAMPS)
	@echo "==> installing front-end packages and building the bundle"
	@npm ci --no-audit --no-fund --loglevel=error
	@npm run --silent build
	@touch $@
frontend: system $(STAMPS)/frontend

$(STAMPS)/translations: $(shell find geo_portal core cadastre_sync layers permits -name '*.po' 2>/dev/null) | $(STAMPS)
	@# LOCALE_PATHS lists every app's catalogue, so one run compiles them all.
	@cd geo_portal && ../$(PY) ../manage.py compilemessages -v 0
	@touch $@
translations: venv $(STAMPS)/translations

setup: system venv frontend translations

db: system
	@scripts/pg.sh start

migrate: setup db
	@$(PY) manage.py migrate --no-input -v 0

demo-data: migrate
	@$(PY) manage.py demo_data --unit $(DEMO_UNIT) --name "$(DEMO_NAME)" --parcels $(DEMO_PARCELS) \
		--seed $(DEMO_SEED) --accounts --if-empty

demo: demo-data
	@$(PY) manage.py collectstatic --no-input -v 0
	@$(PY) manage.py mapconfig
	@PORT=$(PORT) HOST=$(HOST) $(PY) scripts/run_demo.py

stop:
	@$(PY) scripts/run_demo.py --stop 2>/dev/null || true
	@scripts/pg.sh stop

lint: venv
	@echo "==> ruff"
	@$(VENV)/bin/ruff check .

test: migrate lint
	@echo "==> Django checks"
	@$(PY) manage.py check --fail-level WARNING
	@$(PY) manage.py makemigrations --check --dry-run -v 1
	@echo "==> tests"
	@$(VENV)/bin/pytest

bench: migrate
	@$(PY) bench/run.py $(BENCH)

# The README's screenshots (docs/screenshots/), at 1366 and 390 px, from a generated gmina.
screenshots: migrate
	@$(VENV)/bin/pytest tests/browser/screenshots.py -q -p no:cacheprovider

clean:
	rm -rf $(STAMPS) var/generated var/cache
