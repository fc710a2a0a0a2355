"""The Glue job's own OpenLineage events: raw partitions in, curated and quarantine out, spec names."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from glue_jobs import orders_transform as job

ARGS = {
    "JOB_NAME": "orders-transform-test",
    "ENV": "test",
    "RUN_DATE": "2026-11-23",
    "RAW_ROOT": "s3://dataops-test-raw/",
    "CURATED_ROOT": "s3://dataops-test-curated",
    "QUARANTINE_ROOT": "s3://dataops-test-quarantine",
}
MANIFEST = {"datasets": {"orders": {"written": 95, "quarantined_total": 5}, "customers": {"written": 9}}}


def test_names_follow_the_openlineage_spec() -> None:
    assert job.lineage_name("s3://bucket/curated/orders/") == ("s3://bucket", "curated/orders")
    assert job.lineage_name("s3a://bucket/x") == ("s3://bucket", "x")
    assert job.lineage_name("/tmp/lake/raw/orders") == ("file", "/tmp/lake/raw/orders")


def test_a_run_emits_start_and_complete_with_its_inputs_outputs_and_row_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events_file = tmp_path / "events.jsonl"
    transport = {"type": "file", "log_file_path": str(events_file), "append": True}
    monkeypatch.setenv("AIRFLOW__OPENLINEAGE__TRANSPORT", json.dumps(transport))
    lineage = job._Lineage(ARGS)
    lineage.emit("START")
    lineage.emit("COMPLETE", MANIFEST)
    start, complete = [json.loads(line) for line in events_file.read_text().splitlines()]
    assert (start["eventType"], complete["eventType"]) == ("START", "COMPLETE")
    assert start["run"]["runId"] == complete["run"]["runId"]
    assert complete["job"] == {"namespace": "dataops", "name": "orders-transform-test", "facets": {}}
    assert [(d["namespace"], d["name"]) for d in complete["inputs"]] == [
        ("s3://dataops-test-raw", "orders/dt=2026-11-23"),
        ("s3://dataops-test-raw", "customers/dt=2026-11-23"),
    ]
    rows = {
        (d["namespace"], d["name"]): d["outputFacets"]["outputStatistics"]["rowCount"]
        for d in complete["outputs"]
    }
    assert rows == {
        ("s3://dataops-test-curated", "orders"): 95,
        ("s3://dataops-test-curated", "customers"): 9,
        ("s3://dataops-test-quarantine", "orders"): 5,
        ("s3://dataops-test-quarantine", "customers"): 0,
    }


def test_without_a_transport_the_job_says_so_and_sends_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in [k for k in os.environ if k.startswith(("OPENLINEAGE", "AIRFLOW__OPENLINEAGE"))]:
        monkeypatch.delenv(name)
    lineage = job._Lineage(ARGS)
    lineage.emit("START")
    assert lineage.client is None
    assert "no OpenLineage transport is configured" in capsys.readouterr().err
