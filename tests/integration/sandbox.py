"""An isolated local stack for end-to-end tests: its own lake, warehouse, Airflow metadata DB and
Cosmos cache, and the shared emulator.

A developer's .local/ (their lake, their warehouse, their DAG runs) is never touched by `make test`,
and scenarios on different pytest-xdist workers never share a SQLite file or a dbt partial-parse
cache: every scenario runs the real DAG with DATAOPS_LOCAL_DIR, AIRFLOW_HOME and the warehouse
pointed here. The metadata DB is a copy of the one `make bootstrap` migrated, which saves a migration.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from include.dataops.settings import LOCAL_DIR_VAR, REPO_ROOT
from tooling.local import dags_test_backport as dag_test
from tooling.local.emulator import AIRFLOW_HOME

DAG_ID = "orders_nightly"
MARTS = ("orders", "orders_daily", "customers")


@dataclass
class Sandbox:
    root: Path

    @property
    def raw(self) -> str:
        return str(self.root / "lake" / "raw")

    @property
    def curated(self) -> str:
        return str(self.root / "lake" / "curated")

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def airflow_home(self) -> Path:
        home = self.root / "airflow"
        if not (home / "airflow.db").exists():
            home.mkdir(parents=True, exist_ok=True)
            shutil.copy2(AIRFLOW_HOME / "airflow.db", home / "airflow.db")
        return home

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            LOCAL_DIR_VAR: str(self.root),
            "AIRFLOW_HOME": str(self.airflow_home),
            "AIRFLOW__COSMOS__CACHE_DIR": str(self.root / "cosmos"),
            "DATAOPS_DUCKDB_PATH": str(self.warehouse),
            "AIRFLOW_CONN_WAREHOUSE": json.dumps({"conn_type": "duckdb", "host": str(self.warehouse)}),
        }

    def run_dag(
        self, run_date: str, conf: dict[str, Any] | None = None, skip: str | None = None
    ) -> tuple[bool, str]:
        """`airflow dags test` for one day; `skip` marks matching tasks successful without running."""
        command = dag_test.command(DAG_ID, "-c", json.dumps({"run_date": run_date, **(conf or {})}))
        if skip:
            command += ["--mark-success-pattern", skip]
        log = self.root / f"dags-test-{run_date}.log"
        self.root.mkdir(parents=True, exist_ok=True)
        with log.open("w") as out:
            done = subprocess.run(
                command, env=self.env(), stdout=out, stderr=subprocess.STDOUT, check=False, cwd=REPO_ROOT
            )
        return done.returncode == 0, log.read_text(errors="replace")

    def rows(self, table: str) -> int:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(f"select count(*) from analytics.{table}").fetchone()[0]

    def content_hash(self, table: str) -> str:
        """A hash of a table's content, independent of row order."""
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(
                f"select md5(coalesce(string_agg(md5(t::varchar), ',' order by md5(t::varchar)), '')) "
                f"from analytics.{table} t"
            ).fetchone()[0]


def ran(log: str, task_id: str) -> bool:
    """Whether an `airflow dags test` log shows the task starting (not skipped, not marked success)."""
    return f"[DAG TEST] starting task_id={task_id} " in log
