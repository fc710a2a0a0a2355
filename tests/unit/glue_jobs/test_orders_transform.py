"""The Glue job on the shared local SparkSession: every bad kind reconciles, reruns are idempotent."""

from __future__ import annotations

import gzip
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from glue_jobs import orders_transform as job
from include.dataops.pipeline.reconcile import reconcile
from tooling.local.awsglue_shim.awsglue.utils import getResolvedOptions
from tooling.local.glue_job import GlueLocalRunError, _failure_message, run_glue_script_locally
from tooling.local.sample_data import generate
from tooling.local.sample_data_types import RECORD_KINDS

DAY = date(2026, 11, 23)
SCRIPT = Path(job.__file__)


@pytest.fixture
def lake(tmp_path: Path) -> dict[str, str]:
    return {
        "JOB_NAME": "orders-transform-test",
        "ENV": "local",
        "RUN_DATE": DAY.isoformat(),
        "RAW_ROOT": str(tmp_path / "raw"),
        "CURATED_ROOT": str(tmp_path / "curated"),
        "QUARANTINE_ROOT": str(tmp_path / "quarantine"),
    }


def _write(lake: dict[str, str], dataset: str, name: str, body: bytes, day: date = DAY) -> Path:
    folder = Path(lake["RAW_ROOT"]) / dataset / f"dt={day.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(body)
    return folder / name


def _order(order_id: str, updated_at: str, status: str = "shipped", customer: str = "C1") -> bytes:
    record = {
        "order_id": order_id,
        "customer_id": customer,
        "order_total": 12.5,
        "currency": "CAD",
        "order_status": status,
        "item_count": 2,
        "created_at": "2026-11-23T10:00:00Z",
        "updated_at": updated_at,
    }
    return json.dumps(record).encode() + b"\n"


def _customer(customer_id: str) -> bytes:
    record = {
        "customer_id": customer_id,
        "customer_name": "Ada",
        "email": "ada@example.com",
        "country": "CA",
        "signup_at": "2025-01-01T00:00:00Z",
        "updated_at": "2026-11-23T01:00:00Z",
    }
    return json.dumps(record).encode() + b"\n"


def _quarantined(lake: dict[str, str], dataset: str = "orders") -> list[dict[str, Any]]:
    folder = Path(lake["QUARANTINE_ROOT"]) / dataset / f"dt={DAY.isoformat()}"
    return [json.loads(line) for f in sorted(folder.glob("*.json")) for line in f.read_text().splitlines()]


def _balanced(entry: dict[str, Any]) -> bool:
    return entry["read"] == entry["written"] + entry["quarantined_total"] + entry["deduplicated"]


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
    elif outcome == "written":
        assert sum(orders["schema_drift"]["unexpected_fields"].values()) == 6
    else:
        assert orders["quarantined"] == {outcome: 6}
        assert {r["reason"] for r in _quarantined(lake)} == {outcome}
    assert _balanced(orders)
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
    quarantine = _quarantined(lake)
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

    before, quarantine_before = content(), sorted(json.dumps(r) for r in _quarantined(lake))
    second = job.transform(spark, lake)

    assert content() == before
    assert sorted(json.dumps(r) for r in _quarantined(lake)) == quarantine_before
    assert first["datasets"] == second["datasets"]


@pytest.mark.integration
def test_latest_updated_at_wins_and_a_tie_goes_to_the_later_line(spark: Any, lake: dict[str, str]) -> None:
    _write(lake, "customers", "c.jsonl", _customer("C1"))
    _write(
        lake,
        "orders",
        "o.jsonl",
        _order("A", "2026-11-23T12:00:00Z", "delivered")
        + _order("A", "2026-11-23T11:00:00Z", "shipped")
        + _order("B", "2026-11-23T11:00:00Z", "pending")
        + _order("B", "2026-11-23T11:00:00Z", "cancelled"),
    )

    manifest = job.transform(spark, lake)

    rows = spark.read.parquet(f"{lake['CURATED_ROOT']}/orders/dt=2026-11-23").collect()
    assert {r["order_id"]: (r["order_status"], r["_source_line"]) for r in rows} == {
        "A": ("delivered", 1),
        "B": ("cancelled", 4),
    }
    assert rows[0]["order_total"] == Decimal("12.50")
    assert manifest["datasets"]["orders"]["deduplicated"] == 2


@pytest.mark.integration
def test_customers_of_earlier_curated_days_are_not_orphans(spark: Any, lake: dict[str, str]) -> None:
    yesterday = date(2026, 11, 22)
    _write(lake, "customers", "c.jsonl", _customer("OLD"), day=yesterday)
    _write(lake, "orders", "o.jsonl", b"", day=yesterday)
    job.transform(spark, {**lake, "RUN_DATE": yesterday.isoformat()})
    _write(lake, "customers", "c.jsonl", _customer("NEW"))
    _write(
        lake,
        "orders",
        "o.jsonl",
        _order("1", "2026-11-23T11:00:00Z", customer="OLD")
        + _order("2", "2026-11-23T11:00:00Z", customer="NEW")
        + _order("3", "2026-11-23T11:00:00Z", customer="NOBODY"),
    )

    orders = job.transform(spark, lake)["datasets"]["orders"]

    assert (orders["written"], orders["quarantined"]) == (2, {"orphan_customer": 1})
    (orphan,) = _quarantined(lake)
    assert orphan["detail"] == "customer_id not in curated customers: NOBODY"


@pytest.mark.integration
def test_wrong_types_and_values_are_named_in_the_detail(spark: Any, lake: dict[str, str]) -> None:
    _write(lake, "customers", "c.jsonl", _customer("C1") + _customer("C1").replace(b'"CA"', b'"Canada"'))
    good = _order("1", "2026-11-23T11:00:00Z")
    _write(
        lake,
        "orders",
        "o.jsonl",
        good.replace(b"12.5", b'"12.5"')
        + good.replace(b'"item_count": 2', b'"item_count": 2.5')
        + good.replace(b'"2026-11-23T11:00:00Z"', b'"yesterday"')
        + good.replace(b'"CAD"', b'"USD"')
        + b"\n"
        + b"[1, 2]\n",
    )

    manifest = job.transform(spark, lake)

    details = [(r["source_line"], r["reason"], r["detail"]) for r in _quarantined(lake)]
    assert sorted(details) == [
        (1, "wrong_type", "order_total: wrong type"),
        (2, "wrong_type", "item_count: wrong type"),
        (3, "wrong_type", "updated_at: wrong type"),
        (4, "invalid_value", "currency: invalid value"),
        (5, "malformed_json", "blank line"),
        (6, "malformed_json", "not a JSON object"),
    ]
    customers = manifest["datasets"]["customers"]
    assert customers["quarantined"] == {"invalid_value": 1}
    assert _quarantined(lake, "customers")[0]["detail"] == "country: invalid value"


@pytest.mark.integration
def test_an_unreadable_file_is_quarantined_whole(spark: Any, lake: dict[str, str]) -> None:
    _write(lake, "customers", "c.jsonl", _customer("C1"))
    _write(lake, "orders", "good.jsonl.gz", gzip.compress(_order("1", "2026-11-23T11:00:00Z")))
    _write(lake, "orders", "broken.jsonl.gz", b"this is not gzip")
    _write(lake, "orders", "_SUCCESS", b"")

    orders = job.transform(spark, lake)["datasets"]["orders"]

    assert orders["files"] == ["broken.jsonl.gz", "good.jsonl.gz"]
    assert orders["unreadable_files"] == ["broken.jsonl.gz"]
    assert (orders["read"], orders["written"], orders["quarantined"]) == (2, 1, {"unreadable_file": 1})
    (record,) = _quarantined(lake)
    assert record["source_file"].endswith("broken.jsonl.gz")
    assert record["detail"].startswith("cannot read the file (")


@pytest.mark.integration
def test_a_partition_of_empty_files_succeeds_with_zeros(spark: Any, lake: dict[str, str]) -> None:
    generate(lake["RAW_ROOT"], DAY, rows_per_day=40, bad_share=0.0, seed=1)
    job.transform(spark, lake)
    for dataset in ("orders", "customers"):
        for old in (Path(lake["RAW_ROOT"]) / dataset / "dt=2026-11-23").iterdir():
            old.unlink()
    _write(lake, "orders", "a.jsonl", b"")
    _write(lake, "customers", "b.jsonl", b"")

    manifest = job.transform(spark, lake)

    orders = manifest["datasets"]["orders"]
    assert (orders["read"], orders["written"], orders["empty_files"]) == (0, 0, ["a.jsonl"])
    assert manifest["datasets"]["customers"]["empty_files"] == ["b.jsonl"]
    # The earlier run's curated rows are gone: a rerun leaves only what this run wrote.
    assert not (Path(lake["CURATED_ROOT"]) / "orders" / "dt=2026-11-23").exists()


@pytest.mark.integration
def test_a_missing_partition_fails_naming_it(spark: Any, lake: dict[str, str]) -> None:
    _write(lake, "customers", "c.jsonl", _customer("C1"))
    with pytest.raises(job.JobInputError, match=r"raw partition .*/raw/orders/dt=2026-11-23 does not exist"):
        job.transform(spark, lake)
    assert not (Path(lake["CURATED_ROOT"]) / "_manifests").exists()


def test_bad_run_date_and_missing_arguments_are_one_line_errors(lake: dict[str, str]) -> None:
    with pytest.raises(job.JobInputError, match=r"--RUN_DATE must be YYYY-MM-DD, got '23-11-2026'"):
        job.transform(None, {**lake, "RUN_DATE": "23-11-2026"})
    with pytest.raises(job.JobInputError, match=r"missing job arguments --RAW_ROOT"):
        job.transform(None, {**lake, "RAW_ROOT": ""})


def test_shim_resolves_options_as_glue_does(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["script.py", "--JOB_NAME", "j", "--RUN_DATE=2026-11-23", "--job-bookmark-option", "x"]
    assert getResolvedOptions(argv, ["JOB_NAME", "RUN_DATE"]) == {"JOB_NAME": "j", "RUN_DATE": "2026-11-23"}
    with pytest.raises(SystemExit) as exit_info:
        getResolvedOptions(argv, ["JOB_NAME", "ENV"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == "error: the following arguments are required: --ENV\n"


def test_runner_failure_message_prefers_the_scripts_error_line() -> None:
    stderr = "Traceback...\nSystemExit\nerror: raw partition /x/orders/dt=2026-11-23 does not exist\n"
    assert _failure_message(SCRIPT, 1, stderr) == (
        "Glue script orders_transform.py failed: raw partition /x/orders/dt=2026-11-23 does not exist"
    )
    tail = _failure_message(SCRIPT, 137, "line 1\nline 2\n")
    assert tail.endswith("exit code 137; the end of its stderr:\nline 1\nline 2")


@pytest.mark.e2e
def test_the_script_runs_unedited_through_the_local_runner(lake: dict[str, str]) -> None:
    (expected,) = generate(lake["RAW_ROOT"], DAY, rows_per_day=500, bad_share=0.1, seed=9)

    manifest = run_glue_script_locally(SCRIPT, {f"--{k}": v for k, v in lake.items()})

    assert manifest["datasets"]["orders"] == expected.orders.as_manifest()
    assert reconcile(manifest, max_quarantine_rate=0.2).passed
    assert any((Path(lake["CURATED_ROOT"]) / "orders" / "dt=2026-11-23").glob("*.parquet"))


@pytest.mark.e2e
def test_the_runner_reports_the_scripts_own_error(lake: dict[str, str]) -> None:
    with pytest.raises(GlueLocalRunError, match=r"failed: raw partition .*/customers/dt=2026-11-23 does not"):
        run_glue_script_locally(SCRIPT, lake)
