"""`make backfill`: every day of a range through the nightly pipeline locally, in order, and what each did.

A day whose raw partitions are absent gets sample data first (a day already landed is left as it
is); then each day runs `orders_nightly` with `airflow dags test`, through the full quality gate,
one after the other, whatever the one before it did. It prints a line per day (published or
failed, the records the Glue job read, wrote and quarantined, the log) and fails when any day
failed: a failed day published nothing, so the consumer schema kept the last good set.

    python -m tooling.local.backfill --start YYYY-MM-DD --end YYYY-MM-DD [--rows N] [--bad-share X]
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from fsspec.core import url_to_fs

from include.dataops.pipeline.reconcile import ReconcileError, load_manifest
from include.dataops.settings import load_settings
from tooling.deploy.backfill import day_range
from tooling.deploy.types import DeployError
from tooling.local import progress, sample_data
from tooling.local.run import DAG_ID, LOG_DIR, run_dag


def absent_days(raw_root: str, days: list[date]) -> list[date]:
    """The days missing their orders or customers raw partition (both must have landed)."""
    fs, root = url_to_fs(raw_root)
    return [
        day
        for day in days
        if not all(fs.exists(f"{root.rstrip('/')}/{name}/dt={day}") for name in ("orders", "customers"))
    ]


def day_line(day: str, published: bool, manifest: dict[str, Any] | None) -> str:
    """One day's outcome: published or failed, and the Glue job's counts for orders."""
    verdict = "published" if published else "FAILED, not published"
    orders = (manifest or {}).get("datasets", {}).get("orders")
    counts = (
        f"orders read {orders['read']}, written {orders['written']}, "
        f"quarantined {orders['quarantined_total']}, deduplicated {orders['deduplicated']}"
        if orders
        else "no run manifest"
    )
    return f"{day}  {verdict:<22} {counts}  (log: {LOG_DIR / f'{day}.log'})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
    parser.add_argument("--end", required=True, help="last day, YYYY-MM-DD (at most yesterday, UTC)")
    parser.add_argument("--rows", type=int, default=10_000, help="orders per generated day (default 10000)")
    parser.add_argument("--bad-share", type=float, default=0.02)
    args = parser.parse_args(argv)
    progress.quiet_library_logs()
    settings = load_settings()
    try:
        days = day_range(args.start, args.end)
        missing = absent_days(settings.lake.raw, days)
        for day in missing:
            sample_data.generate(settings.lake.raw, day, 1, args.rows, args.bad_share)
    except (DeployError, sample_data.SampleDataError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if missing:
        print(f"generated sample raw data for {', '.join(map(str, missing))} in {settings.lake.raw}")
    lines = []
    for day in days:
        print(f"running {DAG_ID} for {day} ({days.index(day) + 1}/{len(days)}) ...", flush=True)
        published = run_dag(str(day), LOG_DIR / f"{day}.log")
        lines.append(day_line(str(day), published, _manifest(settings.lake.curated, day)))
        print(lines[-1], flush=True)
    failed = sum("FAILED" in line for line in lines)
    print(f"\nbackfill {days[0]}..{days[-1]}: {len(days) - failed} published, {failed} failed")
    print("\n".join(lines))
    return 1 if failed else 0


def _manifest(curated_root: str, day: date) -> dict[str, Any] | None:
    try:
        return load_manifest(curated_root, day)
    except ReconcileError:
        return None


if __name__ == "__main__":
    sys.exit(main())
