"""A `dbt_select` rerun through write-audit-publish on a real DuckDB, with the real dbt project.

The selected mart's upstream views are not published anywhere and its upstream marts are not
selected: the run must still build, test and publish it, leaving every other mart as published.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import duckdb
import pytest

from include.dataops.pipeline import audit
from include.dataops.pipeline.audit import select_models
from include.dataops.pipeline.publish import prepare_audit, publish_audit
from include.dataops.settings import Settings
from tooling.dbt.fixtures import DAYS, dbt_command, write_curated
from tooling.local.warehouse import create as create_warehouse

pytestmark = pytest.mark.integration


def _ok(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def _consumer(path: Path, marts: tuple[str, ...]) -> dict[str, list[tuple[Any, ...]]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {mart: con.sql(f"select * from analytics.{mart} order by all").fetchall() for mart in marts}


def test_a_dbt_select_of_a_mart_whose_upstream_is_not_selected_builds_tests_and_publishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    wh, target, curated = tmp_path / "wh.duckdb", tmp_path / "target", tmp_path / "curated"
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", json.dumps({"conn_type": "duckdb", "host": str(wh)}))
    create_warehouse(wh)  # as make bootstrap does: the pipeline never creates it
    write_curated(curated, days=DAYS[:2])

    def dbt(*command: str, **dbt_vars: Any) -> subprocess.CompletedProcess[str]:
        return dbt_command(
            list(command), duckdb_path=wh, target_path=target, curated_root=curated, dbt_vars=dbt_vars
        )

    _ok(dbt("parse"))
    manifest_path = target / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    marts = audit.Marts.from_manifest(manifest_path).names

    prepare_audit(settings, "audit_day2", "run-1", manifest_path)
    _ok(dbt("build", run_date=DAYS[1], audit_schema="audit_day2", as_of="2026-11-23T00:00:00+00:00"))
    publish_audit(settings, "audit_day2", manifest_path)
    published = _consumer(wh, marts)

    # The next day lands (a new customer, c007); only customers is rerun.
    write_curated(curated, days=DAYS[2:])
    copied = prepare_audit(settings, "audit_day3", "run-2", manifest_path, dbt_select="customers")
    assert copied == ["orders", "orders_daily"]
    selected = select_models("customers", manifest)
    # The negative control: the selection alone cannot build, its views are in no schema.
    unbuildable = dbt("build", "--select", *sorted(selected), run_date=DAYS[2], audit_schema="audit_day3")
    assert unbuildable.returncode != 0 and "int_customers_deduplicated" in unbuildable.stdout
    build = sorted(audit.models_to_build(selected, manifest))
    assert build == ["customers", "int_customers_deduplicated", "stg_customers"]
    # As the producer builds a selection (cosmos.prepare_dbt_task): only tests whose models are all built.
    selective = ("--indirect-selection", audit.SELECTIVE_TESTS)
    _ok(dbt("build", "--select", *build, *selective, run_date=DAYS[2], audit_schema="audit_day3"))

    assert publish_audit(settings, "audit_day3", manifest_path) == list(marts)
    after = _consumer(wh, marts)
    assert {mart: rows for mart, rows in after.items() if mart != "customers"} == {
        mart: rows for mart, rows in published.items() if mart != "customers"
    }
    assert {row[0] for row in after["customers"]} - {row[0] for row in published["customers"]} == {"c007"}
