#!/usr/bin/env bash
# MWAA startup script: runs on every scheduler and worker before requirements.txt is installed,
# within MWAA's 5-minute limit. It builds the dbt venv Cosmos runs dbt from
# (ExecutionConfig.dbt_executable_path = ${AIRFLOW_HOME}/dbt_venv/bin/dbt), the pattern the
# Cosmos docs give for MWAA. The pins match locks/dbt.txt; tests/unit/tooling/test_locks.py checks it.
set -euo pipefail
export DO_NOT_TRACK=1
python3 -m venv "${AIRFLOW_HOME}/dbt_venv"
"${AIRFLOW_HOME}/dbt_venv/bin/pip" install --no-cache-dir \
  "dbt-core==1.11.16" \
  "dbt-redshift==1.11.1"
