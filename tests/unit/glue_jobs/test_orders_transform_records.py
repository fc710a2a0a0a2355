"""The Glue job record by record: which version wins, unknown customers, the detail each quarantine names."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from glue_jobs import orders_transform as job
from tests.unit.glue_jobs.raw_lake import customer, order, quarantined, write


@pytest.mark.integration
def test_latest_updated_at_wins_and_a_tie_goes_to_the_later_line(spark: Any, lake: dict[str, str]) -> None:
    write(lake, "customers", "c.jsonl", customer("C1"))
    write(
        lake,
        "orders",
        "o.jsonl",
        order("A", "2026-11-23T12:00:00Z", "delivered")
        + order("A", "2026-11-23T11:00:00Z", "shipped")
        + order("B", "2026-11-23T11:00:00Z", "pending")
        + order("B", "2026-11-23T11:00:00Z", "cancelled"),
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
def test_an_order_whose_customer_is_not_in_the_day_is_written_not_quarantined(
    spark: Any, lake: dict[str, str]
) -> None:
    """Its customer may land on a later day: dbt holds the order until then, the job keeps it."""
    write(lake, "customers", "c.jsonl", customer("C1"))
    write(
        lake,
        "orders",
        "o.jsonl",
        order("1", "2026-11-23T11:00:00Z", customer="C1")
        + order("2", "2026-11-23T11:00:00Z", customer="ARRIVES-TOMORROW"),
    )

    orders = job.transform(spark, lake)["datasets"]["orders"]

    assert (orders["written"], orders["quarantined"], orders["quarantined_total"]) == (2, {}, 0)
    assert quarantined(lake) == []
    rows = spark.read.parquet(f"{lake['CURATED_ROOT']}/orders/dt=2026-11-23").collect()
    assert {r["order_id"]: r["customer_id"] for r in rows} == {"1": "C1", "2": "ARRIVES-TOMORROW"}


@pytest.mark.integration
def test_wrong_types_and_values_are_named_in_the_detail(spark: Any, lake: dict[str, str]) -> None:
    write(lake, "customers", "c.jsonl", customer("C1") + customer("C1").replace(b'"CA"', b'"Canada"'))
    good = order("1", "2026-11-23T11:00:00Z")
    write(
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

    details = [(r["source_line"], r["reason"], r["detail"]) for r in quarantined(lake)]
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
    assert quarantined(lake, "customers")[0]["detail"] == "country: invalid value"
