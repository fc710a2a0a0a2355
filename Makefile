# The two commands: `make run` runs the nightly pipeline locally, `make test` runs every test.
# Both bootstrap what is missing first and are idempotent: a second run reinstalls nothing.
# `make help` lists the rest.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION := 0.13.9
LOCAL := .local
UV := $(LOCAL)/uv/bin/uv
VENV := .venv
DBT_VENV := .venv-dbt
CHECKOV_VENV := .venv-checkov
PY := $(VENV)/bin/python
# Every local command runs with the environment the bootstrap wrote (emulator endpoint, connections).
WITH_ENV := source $(LOCAL)/env.sh &&
EMULATOR_PORT ?=
PYTEST_ARGS ?=

.PHONY: help
help: ## list the targets, section by section, in the order this file has them
	@awk -F ':.*## ' '/^# --------+ / { sub(/^# -+ /, ""); printf "\n%s\n", $$0 } \
	  /^[a-z][a-zA-Z_-]+:.*## / { printf "  %-18s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

# ---------------------------------------------------------------- bootstrap
$(UV):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "error: Python 3.11+ is needed: install it, or point PYTHON=<path> at one.")'
	@command -v java >/dev/null || { echo "error: Java 17 is needed for local Spark: install openjdk-17-jre-headless." >&2; exit 1; }
	@command -v $${CHROMIUM:-/usr/bin/chromium} >/dev/null || echo "note: the browser tests need Chromium: install it with apt-get install chromium (the rest works without it)."
	$(PYTHON) -m venv $(LOCAL)/uv
	$(LOCAL)/uv/bin/pip install --quiet uv==$(UV_VERSION)

# --compile-bytecode: uv skips writing .pyc files by default, and with PYTHONDONTWRITEBYTECODE set
# (as on these machines) Python never writes them either, so every process would compile Airflow,
# dbt and GX from source again: `import airflow` took 6.6 s without them and 2.8 s with them.
$(VENV)/.installed: locks/airflow.txt | $(UV)
	$(UV) venv --quiet --allow-existing --python $(PYTHON) $(VENV)
	$(UV) pip install --quiet --compile-bytecode --python $(PY) -r locks/airflow.txt
	$(UV) pip check --python $(PY)
	touch $@

$(DBT_VENV)/.installed: locks/dbt.txt | $(UV)
	$(UV) venv --quiet --allow-existing --python $(PYTHON) $(DBT_VENV)
	$(UV) pip install --quiet --compile-bytecode --python $(DBT_VENV)/bin/python -r locks/dbt.txt
	$(UV) pip check --python $(DBT_VENV)/bin/python
	touch $@

$(CHECKOV_VENV)/.installed: locks/checkov.txt | $(UV)
	$(UV) venv --quiet --allow-existing --python $(PYTHON) $(CHECKOV_VENV)
	$(UV) pip install --quiet --compile-bytecode --python $(CHECKOV_VENV)/bin/python -r locks/checkov.txt
	touch $@

$(LOCAL)/airflow/.migrated: $(VENV)/.installed | $(LOCAL)/env.sh
	$(WITH_ENV) $(VENV)/bin/airflow db migrate >/dev/null
	touch $@

# The warehouse file, once: the pipeline never creates one (a run into an empty warehouse would
# publish one day as all of history), so a file lost later fails the next run until `make warehouse`.
$(LOCAL)/.warehouse-created: $(VENV)/.installed | $(LOCAL)/env.sh
	$(WITH_ENV) $(PY) -m tooling.local.warehouse "$$DATAOPS_DUCKDB_PATH" >/dev/null
	touch $@

# The emulator is (re)started whenever it is not answering; its port lands in .local/env.sh.
.PHONY: emulator
emulator: $(VENV)/.installed ## start the local AWS emulator (moto server) and write .local/env.sh
	@$(PY) -m tooling.local.emulator up $(if $(EMULATOR_PORT),--port $(EMULATOR_PORT))

$(LOCAL)/env.sh:
	@$(MAKE) --no-print-directory emulator

.PHONY: emulator-down
emulator-down: ## stop the local AWS emulator this checkout started
	@$(PY) -m tooling.local.emulator down

# Cosmos renders the dbt task group from this manifest, so it is rebuilt whenever the project changes.
DBT_SOURCES := $(shell find dbt -type f \( -name '*.sql' -o -name '*.yml' \) -not -path 'dbt/target/*' 2>/dev/null)
dbt/target/manifest.json: $(DBT_SOURCES) | $(DBT_VENV)/.installed
	@$(MAKE) --no-print-directory dbt-manifest
# ...through the cut of it Cosmos reads (tooling/dbt/cosmos_manifest.py).
dbt/target/cosmos_manifest.json: dbt/target/manifest.json tooling/dbt/cosmos_manifest.py | $(VENV)/.installed
	@$(PY) -m tooling.dbt.cosmos_manifest

.PHONY: bootstrap
bootstrap: $(VENV)/.installed $(DBT_VENV)/.installed ## install both venvs, check the locks, start the emulator, migrate the metadata DB, create the warehouse once, build the dbt manifest
	@$(PY) -m tooling.locks check
	@$(MAKE) --no-print-directory emulator
	@$(MAKE) --no-print-directory -s $(LOCAL)/airflow/.migrated $(LOCAL)/.warehouse-created dbt/target/manifest.json dbt/target/cosmos_manifest.json

WAREHOUSE ?=
.PHONY: warehouse
warehouse: $(VENV)/.installed | $(LOCAL)/env.sh ## create an empty DuckDB warehouse where a run says one is missing (WAREHOUSE=<file>, default the local one)
	@$(WITH_ENV) $(PY) -m tooling.local.warehouse "$(if $(WAREHOUSE),$(WAREHOUSE),$$DATAOPS_DUCKDB_PATH)"

.PHONY: lock
lock: | $(UV) ## recompile the lock files from locks/*.in, then bring requirements.txt and startup.sh in step
	for name in airflow dbt checkov; do \
	  $(UV) pip compile --quiet --no-header --python-version 3.11 locks/$$name.in -o locks/$$name.txt; \
	done
	$(PYTHON) -m tooling.locks sync

# ---------------------------------------------------------------- the two commands
ROWS ?= 10000
DAYS ?= 1
BAD_SHARE ?= 0.02
RUN_DATE ?=
.PHONY: run
run: bootstrap ## run the nightly pipeline on the embedded default (ROWS=, DAYS=, BAD_SHARE=, RUN_DATE=YYYY-MM-DD, the last day); summary in .local/last-run.json
	$(WITH_ENV) $(PY) -m tooling.local.run --rows $(ROWS) --days $(DAYS) --bad-share $(BAD_SHARE) $(if $(RUN_DATE),--run-date $(RUN_DATE))

START ?=
END ?=
.PHONY: backfill
backfill: bootstrap ## run every day from START to END (YYYY-MM-DD) in order, each through the full gate; sample data for absent days (ROWS=, BAD_SHARE=)
	@test -n "$(START)" -a -n "$(END)" || { echo "error: name the range: make backfill START=YYYY-MM-DD END=YYYY-MM-DD" >&2; exit 2; }
	$(WITH_ENV) $(PY) -m tooling.local.backfill --start $(START) --end $(END) --rows $(ROWS) --bad-share $(BAD_SHARE)

# The suites that start engines (Spark, dbt, GX, Airflow) spend most of their time in one process
# on one core, so pytest-xdist runs them on every core. Each group runs whole on one worker: a
# module (with its module-scoped fixtures, such as one DAG run), or the modules sharing one run
# (tests/conftest.py's scheduler), queued costliest first. WORKERS=0 runs in-process.
WORKERS ?= 2
XDIST = $(if $(filter 0,$(WORKERS)),,-n $(WORKERS) --dist loadscope --no-loadscope-reorder)

.PHONY: test
test: bootstrap $(CHECKOV_VENV)/.installed ## run the whole test suite (WORKERS=2 by default)
	$(WITH_ENV) $(PY) -m pytest $(XDIST) $(PYTEST_ARGS)

.PHONY: test-fast
test-fast: bootstrap ## the inner loop (under a minute): unit tests and the DAG integrity suite, no engine started
	$(WITH_ENV) $(PY) -m pytest -m "not e2e and not integration" $(PYTEST_ARGS)

.PHONY: test-pr
test-pr: bootstrap $(CHECKOV_VENV)/.installed ## every test but the end-to-end ones
	$(WITH_ENV) $(PY) -m pytest -m "not e2e" $(XDIST) $(PYTEST_ARGS)

# ---------------------------------------------------------------- working locally
.PHONY: airflow
airflow: bootstrap ## the real Airflow 3 UI on http://localhost:8080 (login admin / admin)
	$(WITH_ENV) $(VENV)/bin/airflow standalone

.PHONY: lint
lint: lint-py lint-sql ## ruff over the Python and SQLFluff over the dbt models

.PHONY: lint-py
lint-py: $(VENV)/.installed ## ruff over the Python
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# zizmor, the GitHub Actions security linter, offline (no GitHub API calls): any finding fails.
.PHONY: zizmor
ZIZMOR_INPUT ?= .github/workflows
zizmor: $(VENV)/.installed ## zizmor over .github/workflows: pinned actions, no persisted credentials, least permissions
	$(VENV)/bin/zizmor --offline $(ZIZMOR_INPUT)

.PHONY: secrets
secrets: $(VENV)/.installed ## detect-secrets over every file git would commit: fails on a finding .secrets.baseline lacks or has not audited
	$(PY) -m tooling.secrets_scan

.PHONY: typecheck
typecheck: $(VENV)/.installed ## mypy over dags/, include/ and tooling/ (settings and strictness: [tool.mypy] in pyproject.toml)
	$(VENV)/bin/mypy

.PHONY: plugins-zip
plugins-zip: $(VENV)/.installed ## build dist/plugins.zip for MWAA from plugins/ (the same reproducible bytes a deploy uploads)
	@$(PY) -m tooling.deploy build-plugins --out dist/plugins.zip

.PHONY: bench-parse
bench-parse: bootstrap ## DAG parse time per file and of the dbt group at 100, 300, 1,000 synthetic models (MODELS=100,1000); writes bench/results/parse.json
	$(WITH_ENV) $(PY) -m bench.parse $(if $(MODELS),--models $(MODELS))

.PHONY: clean
clean: emulator-down ## remove local state (.local/, venvs, build output)
	rm -rf $(LOCAL) $(VENV) $(DBT_VENV) $(CHECKOV_VENV) dist dbt/target dbt/logs

# ---------------------------------------------------------------- ci/cd
# `make ci` is the pull-request stage; its stage list lives once, in tooling/ci.py.
# The deploy targets talk to real AWS with your ambient credentials: they do not source
# .local/env.sh. To rehearse against the emulator: `source .local/env.sh` first.
ENV ?=
STAGE ?=
UNTIL ?=

.PHONY: ci
ci: bootstrap ## the pull-request stage: lint, typecheck, lint-sql, zizmor, secrets, dbt-compile, dbt-test, gx-check, tf-check, pytest (UNTIL=<stage> stops early)
	@$(WITH_ENV) $(PY) -m tooling.ci $(if $(UNTIL),--until $(UNTIL))

.PHONY: ci-stage
ci-stage: $(VENV)/.installed ## run one CI stage: make ci-stage STAGE=<name> (what the GitHub workflow and CodeBuild call)
	@test -n "$(STAGE)" || { echo "error: STAGE is unset: use make ci-stage STAGE=<name> (python -m tooling.ci --list)." >&2; exit 2; }
	@$(PY) -m tooling.ci --only $(STAGE)

.PHONY: build-artifacts
build-artifacts: $(VENV)/.installed ## build the MWAA bundle (dags prefix, plugins.zip, requirements, startup.sh) into dist/mwaa/, the Glue scripts into dist/scripts/
	$(PY) -m tooling.deploy build --out dist

.PHONY: deploy-plan
deploy-plan: $(VENV)/.installed ## what `make deploy ENV=<env>` would change, uploading nothing
	$(PY) -m tooling.deploy plan --env $(ENV)

.PHONY: deploy
deploy: $(VENV)/.installed ## deploy to MWAA: make deploy ENV=staging|prod (records the deployment log)
	$(PY) -m tooling.deploy deploy --env $(ENV)

.PHONY: rollback
rollback: $(VENV)/.installed ## re-point MWAA to the versions before the last deployment: make rollback ENV=<env>
	$(PY) -m tooling.deploy rollback --env $(ENV)

.PHONY: smoke
smoke: $(VENV)/.installed ## trigger the nightly DAG on MWAA and wait for success: make smoke ENV=staging
	$(PY) -m tooling.deploy smoke --env $(ENV) --dag orders_nightly

.PHONY: backfill-cloud
backfill-cloud: $(VENV)/.installed ## the days START..END through Airflow's backfill API on MWAA: make backfill-cloud ENV=staging START=2026-11-01 END=2026-11-07
	$(PY) -m tooling.deploy backfill --env $(ENV) --start $(START) --end $(END)

.PHONY: dora
dora: $(VENV)/.installed ## DORA metrics from the deployment log and run history, sent to CloudWatch: make dora [ENV=prod] (default local)
	$(if $(filter-out local,$(or $(ENV),local)),,$(WITH_ENV)) $(PY) -m tooling.deploy dora --env $(or $(ENV),local)

# ---------------------------------------------------------------- dbt project (dbt/, .sqlfluff)
# Every dbt call: the dbt venv, this project and its profiles, no phoning home.
DBT := DO_NOT_TRACK=1 $(DBT_VENV)/bin/dbt
DBT_ARGS := --project-dir dbt --profiles-dir dbt
# Local runs that must not touch the real warehouse file render against an in-memory DuckDB.
DBT_IN_MEMORY := --vars '{duckdb_path: ":memory:"}'

.PHONY: dbt-manifest
dbt-manifest: $(VENV)/.installed $(DBT_VENV)/.installed ## build dbt/target/manifest.json and the cut of it Cosmos renders the DAG from; no warehouse needed
	$(DBT) parse $(DBT_ARGS) --target local --quiet
	@$(PY) -m tooling.dbt.cosmos_manifest
	@echo "dbt/target/manifest.json"

.PHONY: lint-sql
lint-sql: $(DBT_VENV)/.installed ## SQLFluff over dbt/models (redshift dialect, dbt templater, in-memory DuckDB)
	DO_NOT_TRACK=1 $(DBT_VENV)/bin/sqlfluff lint dbt/models

.PHONY: dbt-compile
dbt-compile: dbt-manifest ## compile locally, parse every cloud target, and check the Redshift SQL, all without a warehouse
	$(DBT) compile $(DBT_ARGS) --target local --target-path target/compile-local $(DBT_IN_MEMORY) --quiet
	for target in dev staging prod; do \
	  $(DBT) parse $(DBT_ARGS) --target $$target --target-path target/parse-$$target --quiet; \
	done
	DO_NOT_TRACK=1 $(DBT_VENV)/bin/python tooling/dbt/redshift_check.py --target prod --out dbt/target/redshift-check

# One `dbt build`, fed fixture data the Airflow venv writes into a throwaway directory.
.PHONY: dbt-test
dbt-test: $(DBT_VENV)/.installed $(VENV)/.installed ## dbt unit + data tests: `dbt build` on fixture data into a throwaway DuckDB
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	vars=$$($(PY) -m tooling.dbt.fixtures --root "$$tmp/curated") && \
	DATAOPS_DUCKDB_PATH="$$tmp/warehouse.duckdb" $(DBT) build $(DBT_ARGS) --target local \
	  --target-path "$$tmp/target" --log-path "$$tmp/logs" --vars "$$vars"

# One `dbt docs generate`: with the local warehouse's catalog once `make run` has built it.
.PHONY: dbt-docs
dbt-docs: $(DBT_VENV)/.installed | $(LOCAL)/env.sh ## dbt docs into dbt/target/index.html (catalog from the local warehouse once it exists)
	@$(WITH_ENV) if [ -f "$${DATAOPS_DUCKDB_PATH:-.local/warehouse.duckdb}" ]; then \
	  $(DBT) docs generate $(DBT_ARGS) --target local; \
	else \
	  echo "no local warehouse (make warehouse creates an empty one): docs without a catalog"; \
	  $(DBT) docs generate $(DBT_ARGS) --target local --empty-catalog $(DBT_IN_MEMORY); \
	fi
	@echo "dbt/target/index.html"

# ---------------------------------------------------------------- quality (GX, gate, metrics, notifications)
.PHONY: gx-check
gx-check: $(VENV)/.installed | $(LOCAL)/env.sh ## GX checks on the local marts, or on sample data if dbt has not built them (GX_ARGS="--sample --scenario violations")
	$(WITH_ENV) $(PY) -m tooling.gx_check $(GX_ARGS)

.PHONY: freshness
freshness: $(VENV)/.installed | $(LOCAL)/env.sh ## the freshness Lambda's handler against the local warehouse: DataFreshness per table vs its dbt SLA, sent to the emulator
	$(WITH_ENV) $(PY) -m tooling.local.freshness

# ---------------------------------------------------------------- infrastructure (infra/terraform)
# tf-check is three steps in order, one entry point each: parse, structural tests, checkov.
.PHONY: tf-check tf-parse tf-structure tf-checkov
tf-check: ## Terraform without a binary: parse every .tf, structural tests, checkov
	@$(MAKE) --no-print-directory tf-parse
	@$(MAKE) --no-print-directory tf-structure
	@$(MAKE) --no-print-directory tf-checkov

tf-parse: $(VENV)/.installed
	$(PY) -m tooling.terraform

tf-structure: $(VENV)/.installed | $(LOCAL)/env.sh
	$(WITH_ENV) $(PY) -m pytest tests/infra -q -k "not checkov_finds_nothing"

tf-checkov: $(CHECKOV_VENV)/.installed
	BC_SKIP_MAPPING=TRUE $(CHECKOV_VENV)/bin/checkov -d infra/terraform --framework terraform --quiet --compact --skip-download

# ---------------------------------------------------------------- bench-pipeline
# `make run` gives ROWS a default of 10000 above; only a ROWS the caller set picks the sizes here.
BENCH_ROWS = $(if $(filter file,$(origin ROWS)),,$(ROWS))

.PHONY: bench-glue
bench-glue: bootstrap ## the Glue job profiled per step from its Spark event log, CPU and peak memory, vs the DuckDB floor (ROWS=10000,1000000 default; opt in to 10000000); writes bench/results/glue.json
	$(WITH_ENV) $(PY) -m bench.glue $(if $(BENCH_ROWS),--rows $(BENCH_ROWS))

.PHONY: bench-pipeline
bench-pipeline: bootstrap ## pipeline stages timed per size vs a one-query DuckDB floor, then the DAG through `airflow dags test` vs its stages' work (ROWS=10000,100000; default 10k,100k,1M); writes bench/results/pipeline.json
	$(WITH_ENV) $(PY) -m bench.pipeline $(if $(BENCH_ROWS),--rows $(BENCH_ROWS))

# ---------------------------------------------------------------- sample data and the Glue job, locally
GLUE_DATE ?= $(shell date -u -d yesterday +%F)
SAMPLE_ARGS ?= --days 1 --rows-per-day 10000 --bad-share 0.05 --seed 42

.PHONY: sample-data
sample-data: $(VENV)/.installed | $(LOCAL)/env.sh ## raw orders + customers ending GLUE_DATE into the local raw zone (SAMPLE_ARGS="--days 3 --rows-per-day 100000")
	$(WITH_ENV) $(PY) -m tooling.local.sample_data --end-date $(GLUE_DATE) $(SAMPLE_ARGS)

.PHONY: glue-local
glue-local: $(VENV)/.installed | $(LOCAL)/env.sh ## run glue_jobs/orders_transform.py unedited on local Spark for GLUE_DATE, then reconcile its manifest
	$(WITH_ENV) $(PY) -m tooling.local.glue_job --run-date $(GLUE_DATE)

# ---------------------------------------------------------------- health report (include/dataops/observability)
.PHONY: metric-definitions
metric-definitions: $(VENV)/.installed ## write the dashboard's metric list for Terraform from include/dataops/observability/metric_definitions.py
	$(PY) -m include.dataops.observability.metric_definitions > infra/terraform/modules/observability/metric_definitions.json
	@echo "infra/terraform/modules/observability/metric_definitions.json"

.PHONY: report
report: bootstrap ## the pipeline health report from the local run history (make run first) into .local/report/index.html
	@$(WITH_ENV) $(PY) -m tooling.report
