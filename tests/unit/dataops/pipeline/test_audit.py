"""Write-audit-publish on a real DuckDB file: prepare, publish in one transaction, retention.

Also renders the same steps for Redshift and parses them with the project's Redshift check.
"""

from __future__ import annotations

import json
import subprocess
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from include.dataops import warehouse
from include.dataops.pipeline import audit
from include.dataops.pipeline.publish import drop_expired_audits, prepare_audit, publish_audit
from include.dataops.settings import REPO_ROOT, Settings

CONSUMER = "analytics"
MANIFEST = {
    "nodes": {
        f"model.p.{name}": {
            "resource_type": "model",
            "name": name,
            "fqn": ["p", folder, name],
            "config": {"materialized": materialized},
        }
        for name, folder, materialized in (
            ("stg_orders", "staging", "view"),
            ("stg_customers", "staging", "view"),
            ("int_customers", "intermediate", "view"),
            ("orders", "marts", "incremental"),
            ("orders_daily", "marts", "incremental"),
            ("customers", "marts", "table"),
        )
    },
    "parent_map": {
        "model.p.stg_orders": [],
        "model.p.stg_customers": [],
        "model.p.int_customers": ["model.p.stg_customers"],
        "model.p.orders": ["model.p.stg_orders"],
        "model.p.orders_daily": ["model.p.orders"],
        "model.p.customers": ["model.p.int_customers", "model.p.orders"],
    },
}
MARTS = ("orders", "orders_daily", "customers")


@pytest.fixture
def wh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings) -> tuple[Path, Settings, Path]:
    """A DuckDB warehouse whose consumer schema holds version 1 of every mart."""
    path = tmp_path / "wh.duckdb"
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", json.dumps({"conn_type": "duckdb", "host": str(path)}))
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps(MANIFEST))
    with duckdb.connect(str(path)) as con:
        con.execute(f"create schema {CONSUMER}")
        for mart in ("orders", "orders_daily", "customers"):
            con.execute(f"create table {CONSUMER}.{mart} as select 1 as version, 'published' as note")
    return path, settings, manifest


def _rows(path: Path, schema: str, table: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(f"select * from {schema}.{table} order by all").fetchall()


def _build(path: Path, schema: str, version: int) -> None:
    """What dbt does in the audit schema: (re)build every mart."""
    with duckdb.connect(str(path)) as con:
        for mart in ("orders", "orders_daily", "customers"):
            con.execute(f"create or replace table {schema}.{mart} as select {version} version, 'audit' note")


def test_the_audit_schema_is_named_from_the_run_and_is_a_plain_identifier() -> None:
    name = audit.audit_schema_name("2026-11-23", "manual__2026-11-24T03:00:00+00:00")
    assert name.startswith("audit_20261123_") and name == name.lower() and len(name) <= 127
    assert name == audit.audit_schema_name("2026-11-23", "manual__2026-11-24T03:00:00+00:00")
    assert name != audit.audit_schema_name("2026-11-23", "scheduled__2026-11-24T03:00:00+00:00")
    with pytest.raises(audit.AuditError, match="not a plain lower-case SQL identifier"):
        audit.publish_statements("audit; drop table x", CONSUMER, ["orders"], "duckdb")


def test_prepare_seeds_only_the_published_incremental_marts_and_full_refresh_none(wh) -> None:
    path, settings, manifest = wh
    assert prepare_audit(settings, "audit_1", "run-1", manifest) == ["orders", "orders_daily"]
    assert _rows(path, "audit_1", "orders") == [(1, "published")]
    with duckdb.connect(str(path), read_only=True) as con:
        tables = {r[0] for r in con.execute(audit.tables_sql("audit_1")).fetchall()}
    assert tables == {"orders", "orders_daily", audit.RUN_TABLE}
    assert prepare_audit(settings, "audit_1", "run-1", manifest, full_refresh=True) == []
    with duckdb.connect(str(path), read_only=True) as con:
        assert {r[0] for r in con.execute(audit.tables_sql("audit_1")).fetchall()} == {audit.RUN_TABLE}


def test_a_dbt_select_builds_the_views_it_reads_and_defers_to_the_published_marts() -> None:
    assert audit.models_to_build({"customers"}, MANIFEST) == {"customers", "int_customers", "stg_customers"}
    assert audit.models_to_build({"orders_daily"}, MANIFEST) == {"orders_daily"}
    both = {"orders", "orders_daily"}
    assert audit.models_to_build(both, MANIFEST) == {"orders", "orders_daily", "stg_orders"}


def test_prepare_copies_every_mart_a_dbt_select_leaves_out(wh) -> None:
    path, settings, manifest = wh
    assert prepare_audit(settings, "audit_1", "run-1", manifest, dbt_select="customers") == list(MARTS[:2])
    assert prepare_audit(settings, "audit_1", "run-1", manifest, dbt_select="orders") == sorted(MARTS)
    full_refresh = prepare_audit(settings, "audit_1", "run-1", manifest, True, "orders")
    assert full_refresh == ["customers", "orders_daily"]
    assert _rows(path, "audit_1", "customers") == [(1, "published")]


def test_prepare_refuses_a_dbt_select_that_leaves_out_an_unpublished_mart(
    tmp_path: Path, monkeypatch, settings: Settings
) -> None:
    path = tmp_path / "wh.duckdb"
    duckdb.connect(str(path)).close()
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", json.dumps({"conn_type": "duckdb", "host": str(path)}))
    (tmp_path / "m.json").write_text(json.dumps(MANIFEST))
    with pytest.raises(audit.AuditError, match=r"leaves out orders, orders_daily, which analytics does not"):
        prepare_audit(settings, "audit_1", "run-1", tmp_path / "m.json", dbt_select="customers")
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute(audit.audit_schemas_sql()).fetchall() == []


def test_prepare_refuses_a_missing_warehouse_and_seeds_nothing_in_an_empty_one(
    tmp_path: Path, monkeypatch, settings: Settings
) -> None:
    """The pipeline never creates the warehouse file (tooling does): a missing one is an error."""
    path = tmp_path / "new" / "wh.duckdb"
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", json.dumps({"conn_type": "duckdb", "host": str(path)}))
    (tmp_path / "m.json").write_text(json.dumps(MANIFEST))
    assert drop_expired_audits(settings) == []
    with pytest.raises(warehouse.WarehouseError, match=rf"{path} does not exist: restore it, or create"):
        prepare_audit(settings, "audit_1", "run-1", tmp_path / "m.json")
    assert not path.exists() and not path.parent.exists()
    path.parent.mkdir()
    duckdb.connect(str(path)).close()
    assert prepare_audit(settings, "audit_1", "run-1", tmp_path / "m.json") == []


def test_publish_moves_every_mart_and_drops_the_audit_schema(wh) -> None:
    path, settings, manifest = wh
    prepare_audit(settings, "audit_2", "run-2", manifest)
    _build(path, "audit_2", 2)
    assert publish_audit(settings, "audit_2", manifest) == ["customers", "orders", "orders_daily"]
    for mart in ("orders", "orders_daily", "customers"):
        assert _rows(path, CONSUMER, mart) == [(2, "audit")]
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute(audit.audit_schemas_sql()).fetchall() == []
    with pytest.raises(audit.AuditError, match="audit schema audit_2 is not in the warehouse"):
        publish_audit(settings, "audit_2", manifest)


def test_a_publish_that_fails_part_way_changes_nothing(wh) -> None:
    path, settings, manifest = wh
    prepare_audit(settings, "audit_3", "run-3", manifest)
    _build(path, "audit_3", 3)
    statements = audit.publish_statements("audit_3", CONSUMER, ["customers", "orders", "missing"], "duckdb")
    with pytest.raises(warehouse.WarehouseError, match="nothing was changed"):
        warehouse.execute(statements, settings.warehouse.conn_id)
    assert _rows(path, CONSUMER, "customers") == [(1, "published")]
    assert _rows(path, "audit_3", "customers") == [(3, "audit")]


def test_a_reader_never_sees_a_mix_of_two_published_sets(wh) -> None:
    """Another connection reads every mart in one transaction while publish runs, over and over."""
    path = wh[0]
    seen: set[tuple[int, ...]] = set()
    stop = threading.Event()
    with duckdb.connect(str(path)) as shared:

        def read() -> None:
            cursor = shared.cursor()
            while not stop.is_set():
                cursor.begin()
                versions = tuple(
                    cursor.execute(f"select max(version) from {CONSUMER}.{mart}").fetchone()[0]
                    for mart in ("orders", "orders_daily", "customers")
                )
                cursor.commit()
                seen.add(versions)

        def publish_versions() -> None:
            cursor = shared.cursor()
            for version in range(2, 12):
                cursor.execute(f"create schema audit_{version}")
                for mart in ("orders", "orders_daily", "customers"):
                    cursor.execute(f"create table audit_{version}.{mart} as select {version} as version")
                cursor.begin()
                for statement in audit.publish_statements(
                    f"audit_{version}", CONSUMER, ["orders", "orders_daily", "customers"], "duckdb"
                ):
                    cursor.execute(statement)
                cursor.commit()

        reader = threading.Thread(target=read)
        reader.start()
        publish_versions()
        stop.set()
        reader.join()
    assert all(len(set(versions)) == 1 for versions in seen), sorted(seen)
    assert len(seen) > 1, "the reader should have seen several published sets"


def test_failed_runs_audit_schemas_are_dropped_once_their_retention_has_passed(wh) -> None:
    path, settings, manifest = wh
    prepare_audit(settings, "audit_old", "run-old", manifest)
    prepare_audit(settings, "audit_new", "run-new", manifest)
    now = datetime.now(UTC)
    days = settings.quality.audit_retention_days
    assert drop_expired_audits(settings, now=now + timedelta(days=days) - timedelta(hours=1)) == []
    later = now + timedelta(days=days, hours=1)
    assert drop_expired_audits(settings, keep="audit_new", now=later) == ["audit_old"]
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute(audit.audit_schemas_sql()).fetchall() == [("audit_new",)]


def test_the_redshift_audit_and_publish_sql_parses_as_redshift(tmp_path: Path) -> None:
    marts, run = ["customers", "orders", "orders_daily"], "audit_20261123_0a1b2c3d"
    statements = [
        *audit.prepare_statements(run, "scheduled__2026-11-24", datetime(2026, 11, 24)),
        *audit.copy_statements("analytics", run, ["orders", "orders_daily"], "redshift"),
        *audit.publish_statements(run, "analytics", marts, "redshift"),
        *audit.drop_statements(["audit_20261101_00000000"]),
        audit.audit_schemas_sql(),
        audit.created_at_sql(["audit_20261101_00000000", "audit_20261102_00000000"]),
    ]
    assert any(f"(like {run}.orders)" in s for s in statements)
    sql = tmp_path / "publish.sql"
    sql.write_text(";\n".join(statements) + ";\n")
    done = subprocess.run(
        [str(REPO_ROOT / ".venv-dbt/bin/python"), "tooling/dbt/redshift_check.py", "--parse-only", str(sql)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
