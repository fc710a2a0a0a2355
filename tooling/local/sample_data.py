"""Deterministic raw orders and customers, with every kind of bad record the Glue job must catch.

Besides those: schema drift (written, the extra fields dropped) and orders whose customer never
arrives (unknown_customer: written by Glue, held out of the marts by dbt, see published_orders).

The generator stands in for the source system: it writes the raw zone as the contract in
docs/data-contracts.md describes, and returns the exact counts each stage must report, so the
end-to-end tests can prove that nothing was lost. It streams precomputed byte strings in chunks,
so memory stays flat however many rows it writes.

    python -m tooling.local.sample_data --days 3 --rows-per-day 100000 --bad-share 0.05 \\
        --seed 42 --end-date 2026-11-23 [--raw-root PATH]
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterable, Iterator
from datetime import date, timedelta

import fsspec
from fsspec.core import url_to_fs

from tooling.local.sample_data_lines import OrderLines, customer_lines
from tooling.local.sample_data_types import (
    ALL_KINDS,
    RECORD_KINDS,
    DatasetCounts,
    DaySummary,
    SampleDataError,
)

DEFAULT_LINES_PER_FILE = 250_000
_CHUNK_LINES = 8_192


def generate(
    raw_root: str,
    end_date: date,
    days: int = 1,
    rows_per_day: int = 1_000,
    bad_share: float = 0.05,
    seed: int = 42,
    kinds: Iterable[str] | None = None,
    lines_per_file: int = DEFAULT_LINES_PER_FILE,
) -> list[DaySummary]:
    """Write `days` raw partitions ending at `end_date` and return the expected counts per day.

    `rows_per_day` is the number of order lines (bad ones included); a share `bad_share` of them,
    spread evenly, is bad, cycling through `kinds` (default: every kind). Each day is seeded
    from `seed` and its date alone, so a day's bytes do not depend on the other days.
    """
    chosen = _check_arguments(days, rows_per_day, bad_share, kinds, lines_per_file)
    fs, root = url_to_fs(raw_root)
    protocol = raw_root.split("://", 1)[0] + "://" if "://" in raw_root else ""
    summaries = []
    for offset in range(days - 1, -1, -1):
        day = end_date - timedelta(days=offset)
        summaries.append(
            _generate_day(fs, protocol, root, day, rows_per_day, bad_share, seed, chosen, lines_per_file)
        )
    return summaries


def _check_arguments(
    days: int, rows_per_day: int, bad_share: float, kinds: Iterable[str] | None, lines_per_file: int
) -> tuple[str, ...]:
    if days < 1:
        raise SampleDataError(f"days must be at least 1, got {days}.")
    if rows_per_day < 0:
        raise SampleDataError(f"rows per day must be 0 or more, got {rows_per_day}.")
    if not 0 <= bad_share < 1:
        raise SampleDataError(f"bad share must be in [0, 1), e.g. 0.05, got {bad_share}.")
    if lines_per_file < 1:
        raise SampleDataError(f"lines per file must be at least 1, got {lines_per_file}.")
    chosen = tuple(ALL_KINDS if kinds is None else kinds)
    unknown = sorted(set(chosen) - set(ALL_KINDS))
    if unknown:
        raise SampleDataError(f"unknown bad-record kinds {unknown}: use some of {', '.join(ALL_KINDS)}.")
    return chosen


def _generate_day(
    fs: fsspec.AbstractFileSystem,
    protocol: str,
    root: str,
    day: date,
    rows: int,
    bad_share: float,
    seed: int,
    kinds: tuple[str, ...],
    lines_per_file: int,
) -> DaySummary:
    rng = random.Random(f"{seed}:{day.isoformat()}")
    dt = day.isoformat()
    customer_count = min(max(1, rows // 10), 50_000)
    summary = DaySummary(dt=dt, orders=DatasetCounts(), customers=DatasetCounts())

    customers_dir = f"{root.rstrip('/')}/customers/dt={dt}"
    _reset_dir(fs, customers_dir)
    name = "customers-0000.jsonl"
    _write_lines(fs, protocol, f"{customers_dir}/{name}", customer_lines(rng, day, customer_count))
    summary.customers.files.append(name)
    summary.customers.read = summary.customers.written = customer_count

    orders_dir = f"{root.rstrip('/')}/orders/dt={dt}"
    _reset_dir(fs, orders_dir)
    record_kinds = tuple(k for k in kinds if k in RECORD_KINDS) if bad_share > 0 else ()
    lines = OrderLines(rng, day, rows, bad_share, record_kinds, customer_count, summary)
    for index, start in enumerate(range(0, rows, lines_per_file)):
        name = f"orders-{index:04d}.jsonl"
        _write_lines(
            fs, protocol, f"{orders_dir}/{name}", lines.lines(start, min(rows, start + lines_per_file))
        )
        summary.orders.files.append(name)
    orders = summary.orders
    orders.read = rows
    orders.written = rows - orders.quarantined_total - orders.deduplicated
    if bad_share > 0 and "empty_file" in kinds:
        name = "orders-empty.jsonl"
        _write_lines(fs, protocol, f"{orders_dir}/{name}", iter(()))
        summary.orders.files.append(name)
        summary.orders.empty_files.append(name)
        summary.bad_records["empty_file"] += 1
    return summary


def _reset_dir(fs: fsspec.AbstractFileSystem, path: str) -> None:
    """A regenerated day replaces the old one whole: stale files would change the counts."""
    if fs.exists(path):
        fs.rm(path, recursive=True)
    fs.makedirs(path, exist_ok=True)


def _write_lines(fs: fsspec.AbstractFileSystem, protocol: str, path: str, lines: Iterator[bytes]) -> None:
    chunk: list[bytes] = []
    with fsspec.open(protocol + path, "wb") as out:
        for line in lines:
            chunk.append(line)
            if len(chunk) >= _CHUNK_LINES:
                out.write(b"".join(chunk))
                chunk.clear()
        out.write(b"".join(chunk))


def main(argv: list[str] | None = None) -> int:
    """CLI: write the raw days and print the counts each pipeline stage must report."""
    parser = argparse.ArgumentParser(
        prog="python -m tooling.local.sample_data", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--rows-per-day", type=int, default=1_000)
    parser.add_argument("--bad-share", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--end-date", required=True, help="YYYY-MM-DD, the last day written")
    parser.add_argument("--raw-root", help="raw zone root (default: the settings' lake.raw)")
    parser.add_argument("--lines-per-file", type=int, default=DEFAULT_LINES_PER_FILE)
    options = parser.parse_args(argv)
    try:
        end_date = date.fromisoformat(options.end_date)
    except ValueError:
        print(f"error: --end-date must be YYYY-MM-DD, got {options.end_date!r}.", file=sys.stderr)
        return 2
    raw_root = options.raw_root
    if raw_root is None:
        from include.dataops.settings import load_settings

        raw_root = load_settings().lake.raw
    try:
        summaries = generate(
            raw_root,
            end_date,
            options.days,
            options.rows_per_day,
            options.bad_share,
            options.seed,
            lines_per_file=options.lines_per_file,
        )
    except SampleDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"raw zone: {raw_root}")
    print(f"{'dt':<12}{'read':>10}{'written':>10}{'quarant.':>10}{'dedup':>8}{'held':>7}{'customers':>11}")
    for day in summaries:
        o = day.orders
        print(
            f"{day.dt:<12}{o.read:>10}{o.written:>10}{o.quarantined_total:>10}"
            f"{o.deduplicated:>8}{o.written - day.published_orders:>7}{day.customers.written:>11}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
