# Teleportal — the two commands:
#   make run    install, create/migrate the database, load demo data, start the worker and
#               gunicorn on http://127.0.0.1:8000
#   make test   install test tools (Chromium, PostgreSQL included) and run every test,
#               on SQLite and again on PostgreSQL
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 3
export TELEPORTAL_INSTANCE ?= $(CURDIR)/instance

.PHONY: run test install install-dev chromium postgres lint format translations bench bench-api bench-reports seed-large clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/flask --app app db upgrade
	$(BIN)/flask --app app seed-demo --if-empty
	@$(BIN)/flask --app app demo-logins --url http://$(HOST):$(PORT)
	@# The background worker (huey: export jobs, scheduled reports, outbox, the
	@# periodic work) runs beside gunicorn and stops with it.
	export SESSION_COOKIE_SECURE=$${SESSION_COOKIE_SECURE:-0} PUBLIC_URL=$${PUBLIC_URL:-http://$(HOST):$(PORT)}; \
		$(BIN)/flask --app app worker --workers 2 & worker=$$!; \
		trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
		PROMETHEUS_MULTIPROC_DIR=$${PROMETHEUS_MULTIPROC_DIR:-$(TELEPORTAL_INSTANCE)/prometheus} \
		$(BIN)/gunicorn -c gunicorn.conf.py --workers $(WORKERS) --bind $(HOST):$(PORT) 'app:create_app()'

chromium:
	@scripts/ensure-chromium.sh

postgres:
	@scripts/ensure-postgres.sh

# Every test on SQLite (browser tests included), then every non-browser test
# again on a throwaway PostgreSQL cluster (tests/pg.py).
test: install-dev chromium postgres
	$(BIN)/ruff check .
	$(BIN)/pytest
	$(BIN)/pytest --db postgresql

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

seed-large: install
	TELEPORTAL_INSTANCE=$(CURDIR)/instance-large $(BIN)/flask --app app seed-demo --scale large --if-empty

bench: install-dev seed-large
	TELEPORTAL_INSTANCE=$(CURDIR)/instance-large $(BIN)/python bench/run.py

bench-api: install-dev seed-large
	TELEPORTAL_INSTANCE=$(CURDIR)/instance-large $(BIN)/python bench/api.py

bench-reports: install-dev seed-large
	TELEPORTAL_INSTANCE=$(CURDIR)/instance-large $(BIN)/python bench/reports.py

# The signed-in Tjänster page against a bare Flask page under gunicorn (wrk if installed).
bench-overhead: install-dev
	$(BIN)/python bench/overhead.py

# Locust stepping users against gunicorn on instance-large/ (DATABASE_URL for PostgreSQL).
bench-load: install-dev seed-large
	$(BIN)/python bench/load.py --instance $(CURDIR)/instance-large

# Languages (README "Languages"): collect the marked strings into the template,
# merge them into the en and da catalogues (translate the new msgstr there),
# compile the .mo files the app reads (committed, so a checkout runs as is;
# tests/test_i18n.py fails when a catalogue or a .mo lags behind).
BABEL_IGNORE := .* _* tests bench instance instance-large node_modules
translations: install-dev
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k NC_:1c,2 -k T_ -k _l --no-location --project=Teleportal \
		--ignore-dirs="$(BABEL_IGNORE)" -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching -w 100
	$(BIN)/pybabel compile -d translations --statistics

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
