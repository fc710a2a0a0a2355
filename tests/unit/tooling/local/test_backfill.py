"""`make backfill`'s own logic: which days need sample data, and the line each day prints."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tooling.local.backfill import absent_days, day_line

DAYS = [date(2026, 11, 21), date(2026, 11, 22), date(2026, 11, 23)]


def test_a_day_needs_sample_data_unless_both_its_raw_partitions_landed(tmp_path: Path) -> None:
    for name in ("orders", "customers"):
        (tmp_path / name / "dt=2026-11-21").mkdir(parents=True)
    (tmp_path / "orders" / "dt=2026-11-22").mkdir(parents=True)

    assert absent_days(str(tmp_path), DAYS) == [date(2026, 11, 22), date(2026, 11, 23)]


def test_each_day_says_whether_it_was_published_and_what_glue_counted() -> None:
    orders = {"read": 1000, "written": 950, "quarantined_total": 40, "deduplicated": 10}

    published = day_line("2026-11-21", True, {"datasets": {"orders": orders}})
    failed = day_line("2026-11-22", False, None)

    assert published.startswith("2026-11-21  published ")
    assert "orders read 1000, written 950, quarantined 40, deduplicated 10" in published
    assert failed.startswith("2026-11-22  FAILED, not published") and "no run manifest" in failed
