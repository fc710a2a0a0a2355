"""Hostile landings on real Spark: files outside the landing contract, compression by content, BOM,
CRLF, long lines and time-zone offsets. Each is accounted for in the manifest; none is ignored.
"""

from __future__ import annotations

import bz2
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from glue_jobs import orders_transform as job
from include.dataops.pipeline.landing import contract_argument, file_kind
from tests.unit.glue_jobs.raw_lake import balanced, customer, order, quarantined, write


def test_the_jobs_contract_decides_as_the_sensors_does() -> None:
    contract = job._LandingContract.parse(contract_argument("warn"))
    names = ["a.jsonl", "a.json", "a.ndjson", "a.jsonl.gz", "a.csv", "a.jsonl.bak", "_SUCCESS", ".hidden"]
    for name in names:
        for size in (0, 10):
            assert contract.kind(name, size) == file_kind(name, size), (name, size)


@pytest.mark.integration
def test_files_outside_the_contract_are_listed_and_a_json_partition_is_read(
    spark: Any, lake: dict[str, str]
) -> None:
    write(lake, "customers", "customers.json", customer("C1"))
    write(lake, "orders", "orders.json", order("1", "2026-11-23T11:00:00Z"))
    write(lake, "orders", "orders-copy.jsonl.bak", order("2", "2026-11-23T11:00:00Z"))
    write(lake, "orders", "_SUCCESS", order("3", "2026-11-23T11:00:00Z"))

    orders = job.transform(spark, lake)["datasets"]["orders"]

    assert orders["files"] == ["orders.json"]
    assert orders["unexpected_files"] == ["_SUCCESS", "orders-copy.jsonl.bak"]
    assert (orders["read"], orders["written"]) == (1, 1)


@pytest.mark.integration
def test_with_on_violation_fail_the_run_stops_naming_the_files_before_writing(
    spark: Any, lake: dict[str, str]
) -> None:
    write(lake, "customers", "customers.jsonl", customer("C1"))
    write(lake, "orders", "orders.jsonl", order("1", "2026-11-23T11:00:00Z"))
    write(lake, "orders", "orders.csv", b"order_id\n1\n")

    with pytest.raises(
        job.JobInputError, match=r"outside the landing contract, not read: orders/orders.csv: name"
    ):
        job.transform(spark, {**lake, "LANDING_CONTRACT": contract_argument("fail")})
    assert not Path(lake["CURATED_ROOT"]).exists()


@pytest.mark.integration
def test_compression_is_judged_by_content_one_reason_per_file(spark: Any, lake: dict[str, str]) -> None:
    write(lake, "customers", "customers.jsonl", customer("C1"))
    write(lake, "orders", "plain-name.jsonl", gzip.compress(order("1", "2026-11-23T11:00:00Z")))
    write(lake, "orders", "b.jsonl", bz2.compress(order("2", "2026-11-23T11:00:00Z")))
    write(lake, "orders", "good.json.gz", gzip.compress(order("3", "2026-11-23T11:00:00Z")))
    write(lake, "orders", "cut.jsonl.gz", gzip.compress(order("4", "2026-11-23T11:00:00Z") * 50)[:40])

    orders = job.transform(spark, lake)["datasets"]["orders"]

    assert orders["unreadable_files"] == ["b.jsonl", "cut.jsonl.gz", "plain-name.jsonl"]
    assert (orders["read"], orders["written"], orders["quarantined"]) == (4, 1, {"unreadable_file": 3})
    details = {Path(r["source_file"]).name: r["detail"] for r in quarantined(lake)}
    assert (
        details["plain-name.jsonl"] == "gzip content under a name without .gz: rename it plain-name.jsonl.gz"
    )
    assert details["b.jsonl"].startswith("bzip2-compressed content, which the job does not read")
    assert details["cut.jsonl.gz"].startswith("cannot read the file (")


@pytest.mark.integration
def test_bom_crlf_long_lines_and_offsets_are_read(spark: Any, lake: dict[str, str]) -> None:
    long_name = "A" * 1_000_000
    write(lake, "customers", "c.jsonl", customer("C1").replace(b'"Ada"', json.dumps(long_name).encode()))
    lines = [
        b"\xef\xbb\xbf" + order("1", "2026-11-23T11:00:00Z").rstrip(b"\n"),
        order("2", "2026-11-23T11:00:00Z").replace(b"10:00:00Z", b"20:00:00-03:00").rstrip(b"\n"),
        order("3", "2026-11-23T11:00:00Z").replace(b"10:00:00Z", b"22:30:00-05:00").rstrip(b"\n"),
    ]
    write(lake, "orders", "o.jsonl", b"\r\n".join(lines) + b"\r\n")

    manifest = job.transform(spark, lake)
    orders, customers = manifest["datasets"]["orders"], manifest["datasets"]["customers"]

    assert balanced(orders) and (orders["read"], orders["written"]) == (3, 2)
    assert orders["quarantined"] == {"created_outside_partition": 1}  # 22:30-05:00 is the 24th in UTC
    assert customers["written"] == 1
    curated = spark.read.parquet(f"{lake['CURATED_ROOT']}/orders").orderBy("order_id")
    utc = curated.selectExpr("order_id", "date_format(created_at, \"yyyy-MM-dd'T'HH:mm:ss\") as at").collect()
    assert [(r.order_id, r.at) for r in utc] == [
        ("1", "2026-11-23T10:00:00"),
        ("2", "2026-11-23T23:00:00"),
    ]
    long = spark.read.parquet(f"{lake['CURATED_ROOT']}/customers").first()
    assert long.customer_name == long_name
