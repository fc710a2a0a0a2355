"""Reconciliation of the run manifest: balance, reasons, quarantine rate, and clear failures."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

import boto3
import fsspec
import pytest

from include.dataops.pipeline.reconcile import ReconcileError, load_manifest, manifest_uri, reconcile

MANIFEST: dict[str, Any] = {
    "job_name": "orders-transform-local",
    "environment": "local",
    "run_date": "2026-11-23",
    "datasets": {
        "orders": {
            "read": 1000,
            "written": 950,
            "deduplicated": 10,
            "quarantined": {"malformed_json": 25, "unknown_status": 15},
            "quarantined_total": 40,
        },
        "customers": {
            "read": 100,
            "written": 100,
            "deduplicated": 0,
            "quarantined": {},
            "quarantined_total": 0,
        },
    },
}


def _manifest(**orders: Any) -> dict[str, Any]:
    manifest = copy.deepcopy(MANIFEST)
    manifest["datasets"]["orders"].update(orders)
    return manifest


def test_a_balanced_manifest_passes_every_check() -> None:
    result = reconcile(MANIFEST, max_quarantine_rate=0.05)

    assert result.passed
    assert result.run_date == "2026-11-23"
    assert [c.name for c in result.checks] == [
        "customers.balance",
        "customers.quarantine_reasons",
        "customers.quarantine_rate",
        "customers.some_good",
        "orders.balance",
        "orders.quarantine_reasons",
        "orders.quarantine_rate",
        "orders.some_good",
    ]
    assert result.checks[4].message == "orders: read 1000 == written 950 + quarantined 40 + deduplicated 10"


def test_a_partition_where_every_record_is_bad_fails_naming_it_and_the_top_reasons() -> None:
    quarantined = {"malformed_json": 600, "missing_field": 300, "wrong_type": 60, "unknown_status": 40}
    manifest = _manifest(written=0, deduplicated=0, quarantined=quarantined, quarantined_total=1000)

    with pytest.raises(ReconcileError) as error:
        reconcile(manifest, max_quarantine_rate=1.0)

    assert str(error.value) == (
        "reconciliation failed for 2026-11-23: orders: every record of raw partition orders/dt=2026-11-23"
        " is bad (1000 of 1000 quarantined; top reasons: malformed_json 600, missing_field 300,"
        " wrong_type 60): fix the delivery and land it again"
    )


def test_an_unbalanced_dataset_fails_naming_its_numbers() -> None:
    with pytest.raises(ReconcileError) as error:
        reconcile(_manifest(written=949), max_quarantine_rate=0.05)
    assert str(error.value) == (
        "reconciliation failed for 2026-11-23: orders: read 1000 != written 949 + quarantined 40 "
        "+ deduplicated 10 (off by 1)"
    )


def test_a_quarantine_rate_above_the_limit_fails() -> None:
    with pytest.raises(ReconcileError, match=r"quarantine rate 4.00% \(40 of 1000\) exceeds the limit 2.00%"):
        reconcile(MANIFEST, max_quarantine_rate=0.02)


def test_without_raising_the_failures_are_listed() -> None:
    result = reconcile(
        _manifest(quarantined={"malformed_json": 1}), max_quarantine_rate=0.02, raise_on_failure=False
    )
    assert not result.passed
    assert [c.name for c in result.failures] == ["orders.quarantine_reasons", "orders.quarantine_rate"]
    assert result.failures[0].message == "orders: quarantined per reason sums to 1, quarantined_total is 40"


def test_an_empty_day_passes() -> None:
    empty = {"read": 0, "written": 0, "deduplicated": 0, "quarantined": {}, "quarantined_total": 0}
    assert reconcile({"run_date": "2026-11-23", "datasets": {"orders": empty}}, 0.0).passed


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ({"datasets": {}}, "the run manifest lists no datasets"),
        (_manifest(read="1000"), "dataset 'orders' in the run manifest has read='1000', not a count"),
        (_manifest(written=-1), "has written=-1, not a count"),
        (_manifest(quarantined=[1]), "dataset 'orders' has a malformed 'quarantined' object"),
    ],
)
def test_a_malformed_manifest_is_a_clear_error(manifest: dict[str, Any], message: str) -> None:
    with pytest.raises(ReconcileError, match=message.replace("(", r"\(")):
        reconcile(manifest, 0.05)


def test_load_manifest_reads_the_contract_path(tmp_path: Path) -> None:
    path = tmp_path / "_manifests" / "orders_transform" / "dt=2026-11-23.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(MANIFEST))

    assert manifest_uri(str(tmp_path), "2026-11-23") == str(path)
    assert load_manifest(str(tmp_path), "2026-11-23") == MANIFEST


def test_load_manifest_errors_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ReconcileError, match=r"no run manifest at .*dt=2026-11-23.json: run the Glue job"):
        load_manifest(str(tmp_path), "2026-11-23")
    path = Path(manifest_uri(str(tmp_path), "2026-11-24"))
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    with pytest.raises(ReconcileError, match=r"is not valid JSON .*: rerun the Glue job"):
        load_manifest(str(tmp_path), "2026-11-24")


def test_load_manifest_from_s3(aws_endpoint: str) -> None:
    bucket = f"reconcile-{uuid.uuid4().hex[:8]}"
    boto3.client("s3").create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "ca-central-1"}
    )
    with fsspec.open(manifest_uri(f"s3://{bucket}", "2026-11-23"), "w") as handle:
        handle.write(json.dumps(MANIFEST))

    assert load_manifest(f"s3://{bucket}/", "2026-11-23") == MANIFEST
