"""The raw-data generator: deterministic bytes, the contract's layout, exact expected counts, flat memory."""

from __future__ import annotations

import hashlib
import json
import re
import tracemalloc
import uuid
from datetime import date
from pathlib import Path

import boto3
import fsspec
import pytest

from tooling.local.sample_data import generate, main
from tooling.local.sample_data_types import ALL_KINDS, RECORD_KINDS, SampleDataError

DAY = date(2026, 11, 23)


def _digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_same_bytes_and_another_seed_other_bytes(tmp_path: Path) -> None:
    first = generate(str(tmp_path / "a"), DAY, days=2, rows_per_day=3_000, bad_share=0.1, seed=7)
    again = generate(str(tmp_path / "b"), DAY, days=2, rows_per_day=3_000, bad_share=0.1, seed=7)
    generate(str(tmp_path / "c"), DAY, days=2, rows_per_day=3_000, bad_share=0.1, seed=8)

    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")
    assert [d.orders.as_manifest() for d in first] == [d.orders.as_manifest() for d in again]
    assert [d.dt for d in first] == ["2026-11-22", "2026-11-23"]


def test_layout_and_counts_follow_the_contract(tmp_path: Path) -> None:
    (day,) = generate(str(tmp_path), DAY, rows_per_day=2_400, bad_share=0.05, seed=1, lines_per_file=1_000)
    orders_dir = tmp_path / "orders" / "dt=2026-11-23"

    assert sorted(p.name for p in orders_dir.iterdir()) == [
        "orders-0000.jsonl",
        "orders-0001.jsonl",
        "orders-0002.jsonl",
        "orders-empty.jsonl",
    ]
    lines = b"".join(p.read_bytes() for p in sorted(orders_dir.iterdir())).splitlines()
    assert len(lines) == day.orders.read == 2_400
    assert (tmp_path / "orders-empty.jsonl").exists() is False
    assert (orders_dir / "orders-empty.jsonl").stat().st_size == 0
    # 5 % of 2,400 lines are bad, cycling through every record kind.
    assert sum(v for k, v in day.bad_records.items() if k in RECORD_KINDS) == 120
    assert set(day.bad_records) == set(ALL_KINDS)
    orders = day.orders
    assert orders.read == orders.written + orders.quarantined_total + orders.deduplicated
    assert orders.deduplicated == day.bad_records["duplicate"]
    assert orders.quarantined["missing_field"] == day.bad_records["missing_key"] + day.bad_records["null_key"]
    assert sum(orders.schema_drift.values()) == day.bad_records["schema_drift"]

    good = json.loads(lines[0])
    assert set(good) == {
        "order_id",
        "customer_id",
        "order_total",
        "currency",
        "order_status",
        "item_count",
        "created_at",
        "updated_at",
    }
    customers = (tmp_path / "customers" / "dt=2026-11-23" / "customers-0000.jsonl").read_text().splitlines()
    assert len(customers) == day.customers.read == day.customers.written == 240
    assert good["customer_id"] in {json.loads(c)["customer_id"] for c in customers}
    # An unknown_customer order names a customer no day brings: Glue writes it, dbt holds it.
    unknown = [line for line in lines if b'"customer_id":"UNKNOWN-' in line]
    assert len(unknown) == day.bad_records["unknown_customer"] == orders.written - day.published_orders > 0
    assert not any(json.loads(c)["customer_id"].startswith("UNKNOWN-") for c in customers)


def test_only_the_chosen_kinds_and_none_without_a_bad_share(tmp_path: Path) -> None:
    (day,) = generate(str(tmp_path / "a"), DAY, rows_per_day=500, bad_share=0.1, seed=1, kinds=["duplicate"])
    assert dict(day.bad_records) == {"duplicate": 50}
    assert day.orders.deduplicated == 50
    assert day.orders.quarantined_total == 0

    (clean,) = generate(str(tmp_path / "b"), DAY, rows_per_day=500, bad_share=0.0, seed=1)
    assert clean.orders.written == clean.orders.read == 500
    assert not clean.bad_records
    assert clean.orders.files == ["orders-0000.jsonl"]


def test_regenerating_a_day_replaces_its_files(tmp_path: Path) -> None:
    generate(str(tmp_path), DAY, rows_per_day=3_000, bad_share=0.0, seed=1, lines_per_file=1_000)
    generate(str(tmp_path), DAY, rows_per_day=500, bad_share=0.0, seed=1, lines_per_file=1_000)
    assert [p.name for p in (tmp_path / "orders" / "dt=2026-11-23").iterdir()] == ["orders-0000.jsonl"]


@pytest.mark.integration
def test_memory_does_not_grow_with_rows(tmp_path: Path) -> None:
    def peak(rows: int) -> int:
        tracemalloc.start()
        generate(str(tmp_path / str(rows)), DAY, rows_per_day=rows, bad_share=0.05, seed=1)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    small, large = peak(10_000), peak(60_000)
    # Six times the rows: the peak stays the fixed tables (one day of timestamps) plus one chunk.
    assert large < small * 1.3, (small, large)
    assert large < 30 * 2**20


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"days": 0}, "days must be at least 1"),
        ({"rows_per_day": -1}, "rows per day must be 0 or more"),
        ({"bad_share": 1.0}, "bad share must be in [0, 1)"),
        ({"kinds": ["gremlins"]}, "unknown bad-record kinds ['gremlins']"),
    ],
)
def test_bad_arguments_say_what_to_change(tmp_path: Path, arguments: dict, message: str) -> None:
    with pytest.raises(SampleDataError, match=re.escape(message)):
        generate(str(tmp_path), DAY, **arguments)


def test_cli_prints_the_expected_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["--days", "2", "--rows-per-day", "1200", "--end-date", "2026-11-23", "--raw-root", str(tmp_path)]
    )
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    # Of 60 bad lines, 5 per kind: 9 quarantine kinds, 5 duplicates, 5 held (written, not published).
    assert out[2].split() == ["2026-11-22", "1200", "1150", "45", "5", "5", "120"]
    assert out[3].split()[0] == "2026-11-23"


def test_cli_rejects_a_bad_date_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--end-date", "23/11/2026"]) == 2
    assert capsys.readouterr().err == "error: --end-date must be YYYY-MM-DD, got '23/11/2026'.\n"


def test_writes_to_s3_through_fsspec(aws_endpoint: str) -> None:
    bucket = f"sample-data-{uuid.uuid4().hex[:8]}"
    boto3.client("s3").create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "ca-central-1"}
    )
    (day,) = generate(f"s3://{bucket}/raw", DAY, rows_per_day=300, bad_share=0.1, seed=5)
    fs = fsspec.filesystem("s3")
    names = sorted(p.rsplit("/", 1)[-1] for p in fs.ls(f"{bucket}/raw/orders/dt=2026-11-23"))
    assert names == sorted(day.orders.files)
    body = fs.cat(f"{bucket}/raw/orders/dt=2026-11-23/orders-0000.jsonl")
    assert body.count(b"\n") == day.orders.read == 300
