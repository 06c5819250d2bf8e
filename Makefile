# The few commands people type. Everything sets itself up on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# axe-core for tests/standards/, from the npm registry, pinned by tests/standards/package-lock.json.
AXE := var/node/node_modules/axe-core/axe.min.js

.PHONY: install run test lint format messages clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

$(AXE): tests/standards/package.json tests/standards/package-lock.json
	bin/ensure-checkers
	mkdir -p var/node
	cp tests/standards/package.json tests/standards/package-lock.json var/node/
	npm ci --prefix var/node --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $(AXE)

## make checkers: axe-core (npm ci into var/node/) and a check that Java runs the Nu Html Checker
.PHONY: checkers
checkers: $(AXE)
	bin/ensure-checkers

## make run: migrate, load the demo, start web + worker + beat (embedded: SQLite, file broker, outbox)
run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py demo
	DEBUG=1 bin/run

## make test: the whole suite (browser tests included) on whatever DATABASE_URL/CELERY_BROKER_URL say
test: install checkers
	bin/ensure-chromium
	$(BIN)/python -m pytest -m "not faults"

## make test-faults: the fault suite (tests/faults/): real workers, beats and a private redis-server
## against PostgreSQL (DATABASE_URL=postgres://…); about 4 minutes on a quiet 2-core machine. Its matrix: var/faults/matrix.json
.PHONY: test-faults
test-faults: install
	$(BIN)/python -m pytest -m faults -o timeout=400

## make bench: P1-P6 (docs/performance.md): dashboard, webhook, learner pages under gunicorn and their empty-view ceiling, P1 dispatch of 100k mails (1, 2, 4 Celery workers, Redis db 11), the morning flood (P6, Redis db 12), a year of history (P5, Redis db 13; the cached druppel_bench_year_* database is built on the first run); each figure the median of 3 runs; own databases (BENCH_DATABASE_URL); writes bench/results.json; --only: make bench BENCH_ARGS='--only P5'
.PHONY: bench
bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## make messages: refresh and compile the Dutch catalogue (needs gettext)
messages: install
	DEBUG=1 $(BIN)/python manage.py makemessages -l nl --no-location --ignore=.venv --ignore=var --ignore=tests
	DEBUG=1 $(BIN)/python manage.py compilemessages -l nl --ignore=.venv

clean:
	rm -rf $(VENV) var
