"""Deterministic raw orders and customers, with every kind of bad record the Glue job must catch.

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
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

import fsspec
from fsspec.core import url_to_fs

# What each kind of bad record must become in the Glue job's manifest: a quarantine reason
# (glue_jobs/orders_transform.py REASONS), "deduplicated" or "written".
RECORD_KINDS: dict[str, str] = {
    "malformed_json": "malformed_json",
    "missing_key": "missing_field",
    "null_key": "missing_field",
    "wrong_type": "wrong_type",
    "negative_total": "invalid_value",
    "absurd_total": "invalid_value",
    "unknown_status": "unknown_status",
    "duplicate": "deduplicated",
    "orphan_customer": "orphan_customer",
    "created_outside_partition": "created_outside_partition",
    "non_utf8": "invalid_encoding",
    "schema_drift": "written",
}
FILE_KINDS = ("empty_file",)
ALL_KINDS = (*RECORD_KINDS, *FILE_KINDS)
DRIFT_FIELDS = ("coupon_code", "gift_wrap")
STATUSES = ("pending", "confirmed", "shipped", "delivered", "cancelled")
COUNTRIES = ("CA", "US", "GB", "FR", "DE", "JP", "MX", "BR")

DEFAULT_LINES_PER_FILE = 250_000
_CHUNK_LINES = 8_192
_TAIL_POOL = 4_096
_SECONDS_PER_DAY = 86_400
# Good orders are created before the last hour of the day, so updated_at (up to an hour later) stays in it.
_LAST_CREATED = _SECONDS_PER_DAY - 3_600
_ORDER_LINE = b'{"order_id":"O%s-%08d","customer_id":"C%s-%06d",%s"created_at":"%s","updated_at":"%s"}\n'


class SampleDataError(ValueError):
    """A bad generator argument; the message says how to fix it, in one line."""


@dataclass
class DatasetCounts:
    """What the Glue job must report for one dataset of one day (the manifest's counts)."""

    read: int = 0
    written: int = 0
    deduplicated: int = 0
    quarantined: Counter[str] = field(default_factory=Counter)
    schema_drift: Counter[str] = field(default_factory=Counter)
    files: list[str] = field(default_factory=list)
    empty_files: list[str] = field(default_factory=list)

    @property
    def quarantined_total(self) -> int:
        return sum(self.quarantined.values())

    def as_manifest(self) -> dict[str, object]:
        """The same keys and shapes as a manifest dataset entry, for direct comparison."""
        return {
            "read": self.read,
            "written": self.written,
            "deduplicated": self.deduplicated,
            "quarantined": dict(sorted(self.quarantined.items())),
            "quarantined_total": self.quarantined_total,
            "files": sorted(self.files),
            "empty_files": sorted(self.empty_files),
            "unreadable_files": [],
            "schema_drift": {"unexpected_fields": dict(sorted(self.schema_drift.items()))},
        }


@dataclass
class DaySummary:
    """The expected outcome of one raw partition: what the Glue job must report for that day."""

    dt: str
    orders: DatasetCounts
    customers: DatasetCounts
    bad_records: Counter[str] = field(default_factory=Counter)


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
    _write_lines(fs, protocol, f"{customers_dir}/{name}", _customer_lines(rng, day, customer_count))
    summary.customers.files.append(name)
    summary.customers.read = summary.customers.written = customer_count

    orders_dir = f"{root.rstrip('/')}/orders/dt={dt}"
    _reset_dir(fs, orders_dir)
    record_kinds = tuple(k for k in kinds if k in RECORD_KINDS) if bad_share > 0 else ()
    lines = _OrderLines(rng, day, rows, bad_share, record_kinds, customer_count, summary)
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


def _timestamps(day: date) -> list[bytes]:
    """Every second of the day as ISO-8601 UTC bytes: formatting once beats formatting per row."""
    prefix = day.isoformat().encode()
    return [
        b"%sT%02d:%02d:%02dZ" % (prefix, s // 3600, s // 60 % 60, s % 60) for s in range(_SECONDS_PER_DAY)
    ]


def _customer_lines(rng: random.Random, day: date, count: int) -> Iterator[bytes]:
    stamp = day.strftime("%Y%m%d").encode()
    seconds = _timestamps(day)
    signup = (day - timedelta(days=365)).isoformat().encode() + b"T08:00:00Z"
    for k in range(count):
        country = COUNTRIES[rng.getrandbits(3)].encode()
        yield (
            b'{"customer_id":"C%s-%06d","customer_name":"Customer %d","email":"customer%d@example.com",'
            b'"country":"%s","signup_at":"%s","updated_at":"%s"}\n'
            % (stamp, k, k, k, country, signup, seconds[rng.getrandbits(16)])
        )


class _OrderLines:
    """The order lines of one day, good and bad, counting the expected outcome as it goes."""

    def __init__(
        self,
        rng: random.Random,
        day: date,
        rows: int,
        bad_share: float,
        kinds: tuple[str, ...],
        customer_count: int,
        summary: DaySummary,
    ) -> None:
        self.rng = rng
        self.day = day
        self.rows = rows
        self.bad_share = bad_share if kinds else 0.0
        self.kinds = kinds
        self.customer_count = customer_count
        self.counts = summary.orders
        self.bad = summary.bad_records
        self.stamp = day.strftime("%Y%m%d").encode()
        self.seconds = _timestamps(day)
        self.tails = [self._tail(rng.choice(STATUSES).encode()) for _ in range(_TAIL_POOL)]
        self.last_good: tuple[int, int] | None = None
        self.bad_seen = 0

    def _tail(self, status: bytes, total: bytes | None = None, items: bytes | None = None) -> bytes:
        if total is None:
            total = b"%d.%02d" % (self.rng.randint(5, 2_000), self.rng.randint(0, 99))
        if items is None:
            items = b"%d" % self.rng.randint(1, 10)
        return b'"order_total":%s,"currency":"CAD","order_status":"%s","item_count":%s,' % (
            total,
            status,
            items,
        )

    def _line(self, order: int, customer: int, tail: bytes, created: bytes, updated: bytes) -> bytes:
        return _ORDER_LINE % (self.stamp, order, self.stamp, customer, tail, created, updated)

    def lines(self, start: int, stop: int) -> Iterator[bytes]:
        """Order lines `start` to `stop` of the day; call for consecutive ranges, one per file."""
        getrandbits, seconds, tails, stamp = self.rng.getrandbits, self.seconds, self.tails, self.stamp
        customers, kinds = self.customer_count, self.kinds
        next_bad = self._next_bad(start)
        for i in range(start, stop):
            if i == next_bad:
                next_bad = self._next_bad(i + 1)
                kind = kinds[self.bad_seen % len(kinds)]
                if kind != "duplicate" or self.last_good is not None:
                    self.bad_seen += 1
                    self.bad[kind] += 1
                    yield self._bad_line(kind, i, self.bad[kind])
                    continue
            r = getrandbits(64)
            created = (r >> 12) % _LAST_CREATED
            self.last_good = (i, r)
            yield _ORDER_LINE % (
                stamp,
                i,
                stamp,
                (r >> 30) % customers,
                tails[r & (_TAIL_POOL - 1)],
                seconds[created],
                seconds[created + (r >> 40) % 3_600],
            )

    def _next_bad(self, i: int) -> int:
        """The first bad line at or after `i`: line i is bad when i * share crosses an integer."""
        if not self.bad_share:
            return -1
        while int((i + 1) * self.bad_share) == int(i * self.bad_share):
            i += 1
        return i

    def _bad_line(self, kind: str, i: int, nth: int) -> bytes:
        """One bad line of `kind`; also books its expected outcome in the day's counts."""
        outcome = RECORD_KINDS[kind]
        if outcome == "deduplicated":
            self.counts.deduplicated += 1
        elif outcome != "written":
            self.counts.quarantined[outcome] += 1
        customer = self.rng.randrange(self.customer_count)
        created = self.rng.randrange(_LAST_CREATED)
        created_at, updated_at = self.seconds[created], self.seconds[created + 60]
        tail = self._tail(b"confirmed")
        if kind == "malformed_json":
            line = self._line(i, customer, tail, created_at, updated_at)
            return line[: len(line) // 2] + b"\n"
        if kind == "missing_key":
            line = self._line(i, customer, tail, created_at, updated_at)
            return line.replace(b'"customer_id":"C%s-%06d",' % (self.stamp, customer), b"")
        if kind == "null_key":
            return self._line(i, customer, self._tail(b"confirmed", total=b"null"), created_at, updated_at)
        if kind == "wrong_type":
            wrong = (
                self._tail(b"confirmed", total=b'"12.50"')
                if nth % 2
                else self._tail(b"shipped", items=b'"three"')
            )
            return self._line(i, customer, wrong, created_at, updated_at)
        if kind == "negative_total":
            return self._line(i, customer, self._tail(b"confirmed", total=b"-12.50"), created_at, updated_at)
        if kind == "absurd_total":
            return self._line(
                i, customer, self._tail(b"confirmed", total=b"1000000000.00"), created_at, updated_at
            )
        if kind == "unknown_status":
            return self._line(i, customer, self._tail(b"lost_in_space"), created_at, updated_at)
        if kind == "duplicate":
            return self._duplicate(nth)
        if kind == "orphan_customer":
            line = self._line(i, customer, tail, created_at, updated_at)
            return line.replace(b'"customer_id":"C', b'"customer_id":"ORPHAN-C', 1)
        if kind == "created_outside_partition":
            yesterday = (self.day - timedelta(days=1)).isoformat().encode() + b"T23:30:00Z"
            return self._line(i, customer, tail, yesterday, updated_at)
        if kind == "non_utf8":
            line = self._line(i, customer, tail, created_at, updated_at)
            return line.replace(b'"order_id":"O', b'"order_id":"\xff\xfeO', 1)
        drift = DRIFT_FIELDS[nth % len(DRIFT_FIELDS)]
        self.counts.schema_drift[drift] += 1
        extra = b'"coupon_code":"SAVE10",' if drift == "coupon_code" else b'"gift_wrap":true,'
        return self._line(i, customer, tail + extra, created_at, updated_at)

    def _duplicate(self, nth: int) -> bytes:
        """Another version of the last good order: newer (it wins) or older (it loses), in turn."""
        assert self.last_good is not None
        order, r = self.last_good
        created = (r >> 12) % _LAST_CREATED
        updated = created + 3_600 if nth % 2 else created
        customer = (r >> 30) % self.customer_count
        return self._line(
            order, customer, self._tail(b"delivered"), self.seconds[created], self.seconds[updated]
        )


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
    print(f"{'dt':<12}{'read':>10}{'written':>10}{'quarant.':>10}{'dedup':>8}{'customers':>11}")
    for day in summaries:
        o = day.orders
        print(
            f"{day.dt:<12}{o.read:>10}{o.written:>10}{o.quarantined_total:>10}"
            f"{o.deduplicated:>8}{day.customers.written:>11}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
