"""The sample data's vocabulary: the bad-record kinds and the counts the Glue job must report.

A leaf module (standard library only), so the Glue tests, `make run` and the generator share
these types without importing fsspec or the line writer.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

# What each kind of bad record must become in the Glue job's manifest: a quarantine reason
# (glue_jobs/orders_transform.py REASONS), "deduplicated" or "written". An unknown_customer order
# (its customer never arrives) is good for Glue, so written; dbt holds it out of the marts.
RECORD_KINDS: dict[str, str] = {
    "malformed_json": "malformed_json",
    "missing_key": "missing_field",
    "null_key": "missing_field",
    "wrong_type": "wrong_type",
    "negative_total": "invalid_value",
    "absurd_total": "invalid_value",
    "unknown_status": "unknown_status",
    "duplicate": "deduplicated",
    "unknown_customer": "written",
    "created_outside_partition": "created_outside_partition",
    "non_utf8": "invalid_encoding",
    "schema_drift": "written",
}
FILE_KINDS = ("empty_file",)
ALL_KINDS = (*RECORD_KINDS, *FILE_KINDS)
DRIFT_FIELDS = ("coupon_code", "gift_wrap")
STATUSES = ("pending", "confirmed", "shipped", "delivered", "cancelled")
COUNTRIES = ("CA", "US", "GB", "FR", "DE", "JP", "MX", "BR")


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
            "unexpected_files": [],
            "schema_drift": {"unexpected_fields": dict(sorted(self.schema_drift.items()))},
        }


@dataclass
class DaySummary:
    """The expected outcome of one raw partition: what the Glue job must report for that day."""

    dt: str
    orders: DatasetCounts
    customers: DatasetCounts
    bad_records: Counter[str] = field(default_factory=Counter)

    @property
    def published_orders(self) -> int:
        """The orders mart's rows from this day: the written orders less those dbt holds for a
        customer that never arrives (each day's orders name only that day's customers)."""
        return self.orders.written - self.bad_records["unknown_customer"]
