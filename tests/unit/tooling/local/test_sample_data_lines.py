"""The line writer: each bad line is bad in the way its kind claims, and books its outcome."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

from tooling.local.sample_data import generate
from tooling.local.sample_data_lines import OrderLines, timestamps
from tooling.local.sample_data_types import DatasetCounts, DaySummary

DAY = date(2026, 11, 23)


def test_bad_lines_are_bad_in_the_way_they_claim(tmp_path: Path) -> None:
    generate(str(tmp_path), DAY, rows_per_day=1_200, bad_share=0.1, seed=3)
    raw = b"".join(p.read_bytes() for p in sorted((tmp_path / "orders" / "dt=2026-11-23").iterdir()))
    undecodable = malformed = 0
    for line in raw.splitlines():
        try:
            json.loads(line.decode("utf-8"))
        except UnicodeDecodeError:
            undecodable += 1
        except json.JSONDecodeError:
            malformed += 1
    assert undecodable == 10
    assert malformed == 10
    assert raw.count(b'"order_status":"lost_in_space"') == 10
    assert raw.count(b'"customer_id":"UNKNOWN-') == 10


def test_timestamps_cover_every_second_of_the_day() -> None:
    seconds = timestamps(DAY)
    assert len(seconds) == 86_400
    assert (seconds[0], seconds[3_661], seconds[-1]) == (
        b"2026-11-23T00:00:00Z",
        b"2026-11-23T01:01:01Z",
        b"2026-11-23T23:59:59Z",
    )


def test_a_duplicate_repeats_the_last_good_order_newer_then_older() -> None:
    summary = DaySummary(dt=DAY.isoformat(), orders=DatasetCounts(), customers=DatasetCounts())
    writer = OrderLines(random.Random(1), DAY, 40, 0.1, ("duplicate",), 5, summary)
    records = [json.loads(line) for line in writer.lines(0, 40)]

    by_id: dict[str, list[dict]] = {}
    for record in records:
        by_id.setdefault(record["order_id"], []).append(record)
    pairs = [versions for versions in by_id.values() if len(versions) == 2]
    assert len(pairs) == summary.orders.deduplicated == summary.bad_records["duplicate"] == 4
    newer = [second["updated_at"] > first["updated_at"] for first, second in pairs]
    assert newer == [True, False, True, False]
    assert all(second["order_status"] == "delivered" for _, second in pairs)
