"""The nightly pipeline's step functions, without a scheduler."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from include.dataops.pipeline import orders as orders_pipeline
from include.dataops.pipeline.audit import audit_schema_name
from include.dataops.settings import Lake


def test_the_run_date_is_the_data_intervals_day_unless_a_param_names_one():
    start = datetime(2026, 11, 23, 3, tzinfo=UTC)
    run_id = "scheduled__2026-11-24T03:00:00+00:00"
    assert orders_pipeline.resolve_run_date(None, start, run_id) == {
        "run_date": "2026-11-23",
        "as_of": "2026-11-24T00:00:00",
        "audit_schema": audit_schema_name("2026-11-23", run_id),
    }
    assert orders_pipeline.resolve_run_date("2026-02-28", start, run_id)["as_of"] == "2026-03-01T00:00:00"


def test_a_malformed_run_date_is_refused():
    with pytest.raises(ValueError):
        orders_pipeline.resolve_run_date("2026-13-01", datetime(2026, 1, 1, tzinfo=UTC), "manual__1")


def test_the_sensor_waits_until_every_dataset_of_the_day_has_landed(settings, tmp_path):
    local = replace(settings, lake=Lake(raw=str(tmp_path), curated="", quarantine=""))
    day = tmp_path / "orders" / "dt=2026-11-23"
    day.mkdir(parents=True)
    (day / "orders-0000.jsonl").write_text("{}\n")
    assert not orders_pipeline.raw_partition_present(local, "2026-11-23")
    customers = tmp_path / "customers" / "dt=2026-11-23"
    customers.mkdir(parents=True)
    (customers / "customers-0000.jsonl").write_text("{}\n")
    assert orders_pipeline.raw_partition_present(local, "2026-11-23")
    assert not orders_pipeline.raw_partition_present(local, "2026-11-24")


def test_the_sensor_counts_what_the_landing_contract_calls_data(settings, tmp_path):
    local = replace(settings, lake=Lake(raw=str(tmp_path), curated="", quarantine=""))
    for dataset, names in (
        ("orders", ["_SUCCESS", "export.csv", "orders.jsonl.bak"]),
        ("customers", ["c.json"]),
    ):
        folder = tmp_path / dataset / "dt=2026-11-23"
        folder.mkdir(parents=True)
        for name in names:
            (folder / name).write_text("{}\n")
    assert orders_pipeline.raw_partition_files(local, "2026-11-23")["orders"] == []
    assert not orders_pipeline.raw_partition_present(local, "2026-11-23")
    (tmp_path / "orders" / "dt=2026-11-23" / "orders.json.gz").write_bytes(b"")
    assert orders_pipeline.raw_partition_present(local, "2026-11-23")


def test_reconcile_fails_at_once_on_an_unbalanced_manifest(settings, tmp_path, monkeypatch):
    from airflow.sdk.exceptions import AirflowFailException

    local = replace(settings, lake=Lake(raw="", curated=str(tmp_path), quarantine=""))
    monkeypatch.setattr(orders_pipeline, "load_settings", lambda: local)
    manifest = tmp_path / "_manifests" / "orders_transform" / "dt=2026-11-23.json"
    manifest.parent.mkdir(parents=True)
    counts = {"read": 10, "written": 8, "deduplicated": 0, "quarantined": {}, "quarantined_total": 1}
    manifest.write_text(json.dumps({"run_date": "2026-11-23", "datasets": {"orders": counts}}))
    with pytest.raises(AirflowFailException, match="orders"):
        orders_pipeline.reconcile_run("2026-11-23")


def test_reconcile_warns_naming_files_outside_the_landing_contract(settings, tmp_path, monkeypatch, caplog):
    local = replace(settings, lake=Lake(raw="", curated=str(tmp_path), quarantine=""))
    monkeypatch.setattr(orders_pipeline, "load_settings", lambda: local)
    manifest = tmp_path / "_manifests" / "orders_transform" / "dt=2026-11-23.json"
    manifest.parent.mkdir(parents=True)
    counts = {"read": 1, "written": 1, "deduplicated": 0, "quarantined": {}, "quarantined_total": 0}
    entry = {**counts, "unexpected_files": ["export.csv"]}
    manifest.write_text(
        json.dumps({"run_date": "2026-11-23", "datasets": {"orders": entry, "customers": counts}})
    )

    orders_pipeline.reconcile_run("2026-11-23")

    assert "outside the landing contract were not read: orders/export.csv" in caplog.text
