# OC Pizza: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test test-dates lint format messages bench page-weight faults soak clean dumps

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(BIN)/.installed

run: venv
	scripts/run.sh

test: venv
	scripts/test.sh

# The suite at awkward dates under libfaketime (a Sunday, the DST change, New Year's Eve, a leap day); slow.
test-dates: venv
	scripts/test_dates.sh

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: venv
	$(BIN)/python manage.py makemessages -l fr -l en --ignore=.venv --ignore=staticfiles --ignore=.tmp
	$(BIN)/python manage.py compilemessages --ignore=.venv

# What the load runs install first: wrk, and with INSTANCES the multi-instance stack (HAProxy, PgBouncer, Redis).
LOAD_DEPS = WITH_WRK=1 $(if $(INSTANCES),WITH_DYNOS=1 )scripts/system-deps.sh

# Load benchmark (bench/README.md): figures in bench/results.json, never a test. INSTANCES=2: that many
# copies of the Procfile's web process behind HAProxy, PgBouncer and Redis, and the checks across them.
bench: venv
	$(LOAD_DEPS)
ifdef INSTANCES
	$(BIN)/python bench/instances.py bench --instances $(INSTANCES) $(BENCH_ARGS)
else
	$(BIN)/python bench/run.py $(BENCH_ARGS)
	$(BIN)/python bench/page_weight.py
endif

# The menu page's weight in Chromium at 390 px (bench/page_weight.py), alone.
page-weight: venv
	$(BIN)/python bench/page_weight.py

# Faults under load: a worker killed, the database restarted (bench/README.md). INSTANCES=2: one of the
# instances killed while customers order through the router.
faults: venv
	$(LOAD_DEPS)
ifdef INSTANCES
	$(BIN)/python bench/instances.py faults --instances $(INSTANCES) $(FAULTS_ARGS)
else
	$(BIN)/python bench/faults.py
endif

# A Friday evening compressed (bench/soak/): Locust, headless, SOAK_MINUTES long (20); bench/soak.json and .svg.
SOAK_MINUTES ?= 20
soak: venv
	scripts/system-deps.sh
	$(BIN)/python bench/soak/run.py --minutes $(SOAK_MINUTES) $(SOAK_ARGS)

# The manual's structure.sql, data.sql and dataAndStructure.sql (docs/operations.md).
dumps: venv
	scripts/sql_dumps.sh dumps

clean:
	scripts/pg.sh stop .tmp/run-pg
	rm -rf $(VENV) staticfiles .tmp .pytest_cache media
