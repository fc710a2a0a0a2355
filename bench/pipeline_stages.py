"""The pipeline benchmark's parts: a sandbox per size, timed dbt runs, the floor and the fixed costs.

Everything here runs in a sandbox (settings, dbt and the warehouse pointed at a temp dir), so
the real .local/lake and .local/warehouse.duckdb are never touched.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

from include.dataops.settings import REPO_ROOT, Settings, load_settings
from tooling.local.warehouse import create as create_warehouse

RUN_DATE = date(2026, 11, 23)
FLOOR_SQL = Path(__file__).resolve().parent / "floor.sql"
DBT = REPO_ROOT / ".venv-dbt" / "bin" / "dbt"
SPARK_PROBE = (
    "from tooling.local.spark import local_spark_session\n"
    "spark = local_spark_session('bench-spark-start-up')\n"
    "assert spark.range(1).count() == 1\n"
    "spark.stop()\n"
)
T = TypeVar("T")


class BenchError(RuntimeError):
    """A stage could not run; the message names the stage and where to look, in one line."""


def timed(action: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def load() -> dict[str, float]:
    one, five, fifteen = os.getloadavg()
    return {"1m": one, "5m": five, "15m": fifteen}


@contextlib.contextmanager
def sandbox(prefix: str, keep: bool = False) -> Iterator[Path]:
    """A fresh temp dir every figure of one measurement comes from, with settings, dbt and the
    warehouse connection pointed at it (sandbox_env); removed afterwards unless `keep`."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        sandbox_env(root)
        yield root
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)


def sandbox_env(root: Path) -> None:
    """Point settings, dbt and the warehouse connection at the sandbox, for this process and its children."""
    warehouse = root / "warehouse.duckdb"
    os.environ["DATAOPS_LOCAL_DIR"] = str(root)
    os.environ["DATAOPS_DUCKDB_PATH"] = str(warehouse)
    os.environ["DATAOPS_CURATED_ROOT"] = str(root / "lake" / "curated")
    os.environ["AIRFLOW_CONN_WAREHOUSE"] = json.dumps({"conn_type": "duckdb", "host": str(warehouse)})
    os.environ["DO_NOT_TRACK"] = "1"
    load_settings.cache_clear()
    create_warehouse(warehouse)  # as make bootstrap does: the pipeline never creates it


def dbt_command(command: str, root: Path, settings: Settings, run_date: str, *select: str) -> list[str]:
    as_of = (date.fromisoformat(run_date) + timedelta(days=1)).isoformat() + "T00:00:00"
    variables = {"run_date": run_date, "as_of": as_of, "curated_root": settings.lake.curated}
    return [
        str(DBT), command, "--project-dir", str(REPO_ROOT / "dbt"), "--profiles-dir", str(REPO_ROOT / "dbt"),
        "--target", "local", "--target-path", str(root / "target"), "--log-path", str(root / "logs"),
        "--vars", json.dumps(variables), *select,
    ]  # fmt: skip


def run_dbt(command: list[str], root: Path) -> None:
    completed = subprocess.run(command, capture_output=True, text=True, check=False, cwd=REPO_ROOT)
    if completed.returncode:
        log = root / "dbt.log"
        log.write_text(completed.stdout + completed.stderr)
        raise BenchError(
            f"dbt {command[1]} failed (exit {completed.returncode}): see {log} (rerun with --keep)."
        )


def spark_start_up() -> float:
    """A cold SparkSession running a trivial job, in its own interpreter as the Glue run is."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    completed, seconds = timed(
        lambda: subprocess.run(
            [sys.executable, "-c", SPARK_PROBE], capture_output=True, text=True, check=False, env=env
        )
    )
    if completed.returncode:
        tail = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        raise BenchError(f"the Spark start-up probe failed: {tail}")
    return seconds


def gx_import() -> float:
    """Great Expectations and the Airflow SDK, imported once: every GX task pays this before it validates.

    Imported before the first size, so each size's GX figure is the same import cost plus its own work.
    """
    start = time.perf_counter()
    for module in ("great_expectations", "airflow.sdk"):
        importlib.import_module(module)
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    return time.perf_counter() - start


def dbt_start_up() -> float:
    """dbt loading and parsing the project, building nothing: what every Cosmos task pays before work."""
    with sandbox("dataops-bench-dbt-") as root:
        nothing = ("--select", "none_such_model")
        command = dbt_command("build", root, load_settings(), RUN_DATE.isoformat(), *nothing)
        return timed(lambda: run_dbt(command, root))[1]


def floor(raw_root: str, run_date: str) -> tuple[list[tuple[Any, ...]], float]:
    """The same raw -> orders_daily aggregation as one DuckDB query (connect included)."""
    import duckdb

    sql = FLOOR_SQL.read_text()
    params = {
        "orders": f"{raw_root}/orders/dt={run_date}/*.jsonl",
        "customers": f"{raw_root}/customers/dt={run_date}/*.jsonl",
        "run_date": run_date,
    }

    def query() -> list[tuple[Any, ...]]:
        with duckdb.connect() as con:
            return con.execute(sql, params).fetchall()

    return timed(query)


def mart_orders_daily(warehouse: Path, run_date: str) -> tuple[int, float]:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute(
            "select order_count, order_total_sum from analytics.orders_daily where order_date = ?", [run_date]
        ).fetchone()
    return (int(row[0]), float(row[1])) if row else (0, 0.0)
