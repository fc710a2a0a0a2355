"""An isolated local stack for end-to-end tests: its own lake, warehouse, Airflow metadata DB,
Cosmos cache and artifacts bucket (run history, reports, markers), and the shared emulator.

A developer's .local/ (their lake, their warehouse, their DAG runs) is never touched by `make test`,
and scenarios on different pytest-xdist workers never share a SQLite file or a dbt partial-parse
cache: every scenario runs the real DAG with DATAOPS_LOCAL_DIR, AIRFLOW_HOME and the warehouse
pointed here. The metadata DB is a copy of the one `make bootstrap` migrated, which saves a migration.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sys
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest

from include.dataops.pipeline import audit
from include.dataops.pipeline.reconcile import manifest_uri
from include.dataops.settings import LOCAL_DIR_VAR, REPO_ROOT, SCOPE_VAR, Settings, load_settings
from tooling.local import dags_test_backport as dag_test
from tooling.local import iam
from tooling.local.emulator import AIRFLOW_HOME
from tooling.local.forkserver import ForkServer
from tooling.local.warehouse import create as create_warehouse

DAG_ID = "orders_nightly"
MARTS = ("orders", "orders_daily", "customers")
# The consumer schema (settings.warehouse.schema): publish is its only writer.
CONSUMER = "analytics"


@dataclass
class Sandbox:
    root: Path
    _runner: ForkServer | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        # Its empty warehouse, as `make bootstrap` makes one: the pipeline never creates it.
        create_warehouse(self.warehouse)

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

    @property
    def scope(self) -> str:
        return hashlib.sha1(str(self.root).encode()).hexdigest()[:10]

    @property
    def settings(self) -> Settings:
        """The local settings as this sandbox's runs see them: its own artifacts bucket (created
        here), so its runs never reach the developer's health report or DORA."""
        import boto3

        local = load_settings("local")
        bucket = f"{local.buckets.artifacts}-{self.scope}"
        s3 = boto3.client("s3", region_name=local.aws_region)
        location = {"LocationConstraint": local.aws_region}
        with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration=location)
        return replace(local, buckets=replace(local.buckets, artifacts=bucket))

    @property
    def iam_log(self) -> Path:
        """Every AWS call the sandbox's runs made, recorded for the IAM check (tooling/local/iam.py)."""
        return self.root / "iam-calls.jsonl"

    def env(self, signed: bool = True) -> dict[str, str]:
        """The run's environment; its AWS calls are signed as the MWAA execution role and recorded
        for the IAM check, unless `signed` is False (a test with an AWS twin of its own)."""
        self.settings  # noqa: B018 (creates the sandbox's artifacts bucket before any run)
        base = {
            **os.environ,
            SCOPE_VAR: self.scope,
            LOCAL_DIR_VAR: str(self.root),
            "AIRFLOW_HOME": str(self.airflow_home),
            "AIRFLOW__COSMOS__CACHE_DIR": str(self.root / "cosmos"),
            # The run's log must show each task starting (`ran`), whatever level a test before
            # left in this process's environment (make run's quiet_library_logs sets WARNING).
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
            "DATAOPS_DUCKDB_PATH": str(self.warehouse),
            "AIRFLOW_CONN_WAREHOUSE": json.dumps({"conn_type": "duckdb", "host": str(self.warehouse)}),
        }
        if not signed:
            return base
        return {**base, **iam.principal_environment("mwaa_execution", self.iam_log, base)}

    def run_dag(
        self,
        run_date: str,
        conf: dict[str, Any] | None = None,
        skip: str | None = None,
        env: dict[str, str] | None = None,
    ) -> tuple[bool, str]:
        """`airflow dags test` for one day; `skip` marks matching tasks successful without running;
        `env` replaces the run's environment (a fault injected for this run alone).

        Fails first if the run made an AWS call its role's Terraform policy does not allow.
        """
        options = [DAG_ID, "-c", json.dumps({"run_date": run_date, **(conf or {})})]
        if skip:
            options += ["--mark-success-pattern", skip]
        log = self.root / f"dags-test-{run_date}.log"
        self.root.mkdir(parents=True, exist_ok=True)
        done = self._warm_airflow().run([dag_test.__name__, *options], env or self.env(), log, cwd=REPO_ROOT)
        iam.assert_allowed(self.iam_log)
        return done.returncode == 0, done.stdout

    def _warm_airflow(self) -> ForkServer:
        """The sandbox's `airflow dags test`: the backport's CLI run in a child forked from a
        process that imported Airflow, the providers, Cosmos and GX and built the execution API
        once (tooling/local/forkserver.py). Its first run costs what a fresh process does; a later
        one skips the imports and start-up (two runs measured: 41.8 s, then 25.0 s). Started with
        the sandbox's environment, so every run signs as the MWAA execution role and is recorded
        for the IAM check."""
        if self._runner is None:
            log = self.root / "forkserver.log"
            warm = f"{dag_test.__name__}:{dag_test.warm.__name__}"
            entry = f"{dag_test.__name__}:{dag_test.main.__name__}"
            self._runner = ForkServer(Path(sys.executable), entry, [warm], log, env=self.env())
        return self._runner

    def rows(self, table: str) -> int:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(f"select count(*) from {CONSUMER}.{table}").fetchone()[0]

    def content_hash(self, table: str, schema: str = CONSUMER) -> str:
        """A hash of a table's content, independent of row order."""
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return _table_hash(con, schema, table)

    def consumer_hashes(self) -> dict[str, str]:
        """The content hash of every table and view a consumer can read: what must not change
        when a run fails. Empty before anything was published."""
        if not self.warehouse.exists():
            return {}
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            names = con.execute(
                "select table_name from information_schema.tables where table_schema = ? order by 1",
                [CONSUMER],
            ).fetchall()
            return {name: _table_hash(con, CONSUMER, name) for (name,) in names}

    def audit_schemas(self) -> list[str]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return [name for (name,) in con.execute(audit.audit_schemas_sql()).fetchall()]

    def write_manifest(self, day: str, lost: int = 0) -> None:
        """The manifest a Glue run would have written for a crafted curated partition; `lost`
        records that many orders as read but neither written nor quarantined (reconcile fails)."""
        counts = {}
        for dataset in ("orders", "customers"):
            partition = Path(self.curated) / dataset / f"dt={day}"
            rows = sum(pq.read_metadata(p).num_rows for p in partition.glob("*.parquet"))
            counts[dataset] = {
                "read": rows + (lost if dataset == "orders" else 0),
                "written": rows,
                "deduplicated": 0,
                "quarantined": {},
                "quarantined_total": 0,
            }
        path = Path(manifest_uri(self.curated, day))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"run_date": day, "datasets": counts}))

    def publish_without_a_run(self, day: str) -> dict[str, str]:
        """Publish a crafted curated day with the pipeline's own steps and no DAG run: prepare the
        audit schema, `dbt build` into it, publish it and write the marker (seconds, not a minute).

        The starting state of scenarios whose subject is a later run (a failure must leave this
        day's consumer schema as it was); test_orders_pipeline.py proves a DAG run publishes.
        Returns the consumer hashes.
        """
        from include.dataops.pipeline import orders
        from include.dataops.pipeline.dbt_artifacts import DBT_MANIFEST
        from include.dataops.pipeline.publish import prepare_audit
        from tooling.dbt.fixtures import dbt_command

        run_id = f"seed__{day}"
        schema = audit.audit_schema_name(day, run_id)
        as_of = (datetime.fromisoformat(day) + timedelta(days=1)).isoformat()
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("AIRFLOW_CONN_WAREHOUSE", self.env(signed=False)["AIRFLOW_CONN_WAREHOUSE"])
            prepare_audit(self.settings, schema, run_id, DBT_MANIFEST)
            done = dbt_command(
                ["build"],
                duckdb_path=self.warehouse,
                target_path=self.root / "seed-target",
                curated_root=Path(self.curated),
                dbt_vars={"run_date": day, "as_of": as_of, "audit_schema": schema},
            )
            assert done.returncode == 0, done.stdout[-3000:]
            orders.publish(self.settings, {"run_date": day, "audit_schema": schema}, {"seeded": True}, run_id)
        return self.consumer_hashes()

    def run_from_curated(
        self, day: str, conf: dict[str, Any] | None = None, env: dict[str, str] | None = None
    ) -> tuple[bool, str]:
        """Run the DAG for a crafted curated partition: no raw data, no Glue."""
        return self.run_dag(day, conf, skip="wait_for_raw_partition|glue_transform", env=env)


def clean_build_hashes(curated: Path, run_date: str, root: Path) -> dict[str, str]:
    """The consumer hashes a clean run of every curated day up to `run_date` gives: one dbt run of
    the project over the same curated zone into a throwaway warehouse under `root` (no DAG run,
    seconds), the reference a rerun after a failure must match."""
    from tooling.dbt.fixtures import dbt_command

    reference = Sandbox(root)
    done = dbt_command(
        ["run"],
        duckdb_path=reference.warehouse,
        target_path=root / "target",
        curated_root=curated,
        dbt_vars={"run_date": run_date},
    )
    assert done.returncode == 0, done.stdout[-3000:]
    return {table: reference.content_hash(table) for table in MARTS}


def run_id_of(log: str) -> str:
    """The run id an `airflow dags test` log names."""
    found = re.search(r"run_id='?(manual__[^',\s]+)", log)
    assert found, "the log names no run id"
    return found.group(1)


def published_by(settings: Any, day: str, run_id: str, since: datetime, orders_read: int) -> bool:
    """Whether this very run published `day`: its marker and its metrics (both below).

    Both are scoped to the run, so a marker or a metric another run left (an earlier `make
    test`, another sandbox, a unit test) cannot make a run that did not publish look published.
    """
    return marker_names(settings, day, run_id) and sent_records_read(settings, since, orders_read)


def marker_names(settings: Any, day: str, run_id: str) -> bool:
    """Whether the published marker for `day` exists and names this run."""
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    from include.dataops.pipeline.orders import PUBLISHED_PREFIX

    hook, key = S3Hook(aws_conn_id=settings.aws_conn_id), f"{PUBLISHED_PREFIX}/dt={day}.json"
    if not hook.check_for_key(key, settings.buckets.artifacts):
        return False
    return json.loads(hook.read_key(key, settings.buckets.artifacts)).get("run_id") == run_id


def sent_records_read(settings: Any, since: datetime, orders_read: int) -> bool:
    """Whether CloudWatch holds RecordsRead for orders equal to `orders_read`, sent after `since`
    (the run's start; report sends it after publish)."""
    from include.dataops.observability.metrics import cloudwatch_client

    points = cloudwatch_client(settings).get_metric_statistics(
        Namespace=settings.cloudwatch.namespace,
        MetricName="RecordsRead",
        Dimensions=[{"Name": "Dataset", "Value": "orders"}],
        StartTime=since,
        EndTime=datetime.now(UTC) + timedelta(minutes=1),
        Period=60,
        Statistics=["Minimum", "Maximum"],
    )["Datapoints"]
    return any(orders_read in (p["Minimum"], p["Maximum"]) for p in points)


def _table_hash(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> str:
    rows = "string_agg(md5(t::varchar), ',' order by md5(t::varchar))"
    return con.execute(f"select md5(coalesce({rows}, '')) from {schema}.{table} t").fetchone()[0]


def ran(log: str, task_id: str) -> bool:
    """Whether an `airflow dags test` log shows the task starting (not skipped, not marked success)."""
    return f"[DAG TEST] starting task_id={task_id} " in log
