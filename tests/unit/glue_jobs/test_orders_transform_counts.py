"""The Glue job's counts: every bad kind reconciles exactly with the generator, reruns are idempotent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from glue_jobs import orders_transform as job
from include.dataops.pipeline.reconcile import reconcile
from tests.unit.glue_jobs.raw_lake import DAY, balanced, quarantined
from tooling.local.sample_data import generate
from tooling.local.sample_data_types import RECORD_KINDS


@pytest.mark.integration
@pytest.mark.parametrize("kind", sorted(RECORD_KINDS))
def test_each_bad_kind_alone_reconciles_exactly(spark: Any, lake: dict[str, str], kind: str) -> None:
    (expected,) = generate(lake["RAW_ROOT"], DAY, rows_per_day=60, bad_share=0.1, seed=11, kinds=[kind])

    manifest = job.transform(spark, lake)

    orders = manifest["datasets"]["orders"]
    assert orders == expected.orders.as_manifest()
    assert manifest["datasets"]["customers"] == expected.customers.as_manifest()
    outcome = RECORD_KINDS[kind]
    if outcome == "deduplicated":
        assert orders["deduplicated"] == 6
    elif kind == "schema_drift":
        assert sum(orders["schema_drift"]["unexpected_fields"].values()) == 6
    elif kind == "unknown_customer":
        curated = spark.read.parquet(f"{lake['CURATED_ROOT']}/orders")
        assert curated.where(curated.customer_id.startswith("UNKNOWN-")).count() == 6
    else:
        assert orders["quarantined"] == {outcome: 6}
        assert {r["reason"] for r in quarantined(lake)} == {outcome}
    assert balanced(orders)
    assert reconcile(manifest, max_quarantine_rate=0.5).passed
    assert set(orders["quarantined"]) <= set(job.REASONS)


@pytest.mark.integration
def test_all_kinds_together_and_the_manifest_on_disk(spark: Any, lake: dict[str, str]) -> None:
    (expected,) = generate(lake["RAW_ROOT"], DAY, rows_per_day=1_200, bad_share=0.1, seed=3)

    manifest = job.transform(spark, lake)

    assert manifest["datasets"]["orders"] == expected.orders.as_manifest()
    assert manifest["datasets"]["orders"]["empty_files"] == ["orders-empty.jsonl"]
    on_disk = Path(lake["CURATED_ROOT"]) / "_manifests" / "orders_transform" / "dt=2026-11-23.json"
    assert json.loads(on_disk.read_text()) == manifest
    assert manifest["job_name"] == "orders-transform-test"
    assert manifest["run_date"] == "2026-11-23"
    quarantine = quarantined(lake)
    assert len(quarantine) == expected.orders.quarantined_total
    assert set(quarantine[0]) == {"dataset", "reason", "detail", "source_file", "source_line", "raw"}
    undecodable = [r for r in quarantine if r["reason"] == "invalid_encoding"]
    assert undecodable[0]["raw"].startswith('{"order_id":"\\xff\\xfeO')
    missing = next(r for r in quarantine if r["reason"] == "missing_field")
    assert missing["detail"] in {"customer_id: missing or null", "order_total: missing or null"}
    source = Path(missing["source_file"].removeprefix("file:"))
    assert source.read_bytes().splitlines()[missing["source_line"] - 1].decode() == missing["raw"]


@pytest.mark.integration
def test_curated_types_follow_the_contract(spark: Any, lake: dict[str, str]) -> None:
    generate(lake["RAW_ROOT"], DAY, rows_per_day=50, bad_share=0.0, seed=2)
    job.transform(spark, lake)

    orders = spark.read.parquet(f"{lake['CURATED_ROOT']}/orders")
    types = dict(orders.dtypes)
    assert types["order_total"] == "decimal(12,2)"
    assert types["item_count"] == "int"
    assert types["created_at"] == types["updated_at"] == "timestamp"
    assert types["_source_line"] == "bigint"
    assert orders.count() == 50
    customers = spark.read.parquet(f"{lake['CURATED_ROOT']}/customers")
    assert set(customers.columns) >= {"customer_id", "country", "signup_at", "_source_file", "dt"}


@pytest.mark.integration
def test_rerun_overwrites_the_partition_with_the_same_content(spark: Any, lake: dict[str, str]) -> None:
    generate(lake["RAW_ROOT"], DAY, rows_per_day=300, bad_share=0.1, seed=4)
    first = job.transform(spark, lake)
    curated = Path(lake["CURATED_ROOT"]) / "orders" / "dt=2026-11-23"

    def content() -> list[tuple]:
        rows = spark.read.parquet(str(curated)).collect()
        return sorted(tuple(r) for r in rows)

    before, quarantine_before = content(), sorted(json.dumps(r) for r in quarantined(lake))
    second = job.transform(spark, lake)

    assert content() == before
    assert sorted(json.dumps(r) for r in quarantined(lake)) == quarantine_before
    assert first["datasets"] == second["datasets"]
