# The two commands of the README: `make run` and `make test`. Both set everything up on a bare
# machine with Python 3.11 (a .venv with the pinned requirements), then do their job.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# An as-of date inside the plan period (ROC 114/11/25); the demo data runs up to yesterday.
DEMO_AS_OF ?= 2025-11-25

.PHONY: install run test test-slow test-all lint airflow down status freeze clean

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version' 
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

run: install
	$(BIN)/kpi demo-data
	$(BIN)/kpi run --as-of $(DEMO_AS_OF)

# The tests a maintainer runs often: everything but the ones marked slow (whole nights through
# Airflow, range builds over years), which `make test-all` and CI add. TEST_WORKERS pytest-xdist
# processes take whole modules each (a module shares one warehouse database); each process has its
# own embedded PostgreSQL and Airflow home. TEST_WORKERS=0 runs them in this one process.
TEST_WORKERS ?= 2
test: install
	$(BIN)/python -m pytest -m "not slow" -n $(TEST_WORKERS) --dist loadfile

# The slow tier runs in one process: its timings (a killed worker's recovery, a night's cost) are
# measured, and two of them at once on two cores would measure each other.
test-slow: install
	$(BIN)/python -m pytest -m slow

test-all: test test-slow

# ruff (pyproject.toml) on the Python, sqlfluff (.sqlfluff) on the dbt models and data tests; both must be clean.
lint: install
	$(BIN)/ruff check .
	$(BIN)/sqlfluff lint --processes 2 dbt_project/models dbt_project/tests

# Airflow's web UI and scheduler on the embedded warehouse until Ctrl-C; prints where to log in.
# Port: KPI_AIRFLOW_PORT (default 8080). `make airflow AIRFLOW_ARGS=--paused` leaves kpi_nightly paused.
# `make airflow EXECUTOR=celery WORKERS=2`: the tasks on two Celery workers and a Redis of its own.
AIRFLOW_ARGS ?=
EXECUTOR ?=
WORKERS ?=
airflow: install
	$(BIN)/kpi airflow-ui $(if $(EXECUTOR),--executor $(EXECUTOR)) $(if $(WORKERS),--workers $(WORKERS)) $(AIRFLOW_ARGS)

status: install
	$(BIN)/kpi status

down: install
	$(BIN)/kpi down

freeze:
	{ echo "# Exact pins of everything the project installs (pip freeze of a tested .venv, Python 3.11)."; \
	  echo "# Regenerate with: make freeze"; \
	  $(BIN)/pip freeze --exclude-editable | grep -v '^keelung-kpi' | sort -f; } > requirements.txt

clean: down
	rm -rf .warehouse .airflow .redis reports data dbt_project/target
