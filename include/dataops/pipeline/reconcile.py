"""Reconciliation: prove from the Glue job's run manifest that no record was lost.

The Glue job counts what it read, wrote, quarantined and deduplicated for each dataset
(docs/data-contracts.md). A run only counts as good when those numbers balance and the share of
quarantined records stays under the environment's threshold; the quality gate reads the result.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import fsspec

MANIFEST_PREFIX = "_manifests/orders_transform"
_COUNT_KEYS = ("read", "written", "deduplicated", "quarantined_total")
_TOP_REASONS = 3


class ReconcileError(ValueError):
    """The manifest is missing, malformed or does not balance; the message names what and how much."""


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    message: str


@dataclass(frozen=True)
class ReconcileResult:
    run_date: str
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def failures(self) -> list[CheckResult]:
        return [check for check in self.checks if not check.passed]


def manifest_uri(curated_root: str, run_date: date | str) -> str:
    """The manifest's address for one day, as the Glue job writes it."""
    day = run_date.isoformat() if isinstance(run_date, date) else run_date
    return f"{curated_root.rstrip('/')}/{MANIFEST_PREFIX}/dt={day}.json"


def load_manifest(curated_root: str, run_date: date | str) -> dict[str, Any]:
    """Read the day's manifest from the curated zone (a directory or s3://, through fsspec)."""
    uri = manifest_uri(curated_root, run_date)
    try:
        with fsspec.open(uri, "r", encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise ReconcileError(
            f"no run manifest at {uri}: run the Glue job for {run_date} first (it writes the manifest last)."
        ) from None
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReconcileError(f"run manifest {uri} is not valid JSON ({exc}): rerun the Glue job.") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("datasets"), dict):
        raise ReconcileError(f"run manifest {uri} has no 'datasets' object: rerun the Glue job.")
    return manifest


def reconcile(
    manifest: dict[str, Any], max_quarantine_rate: float, raise_on_failure: bool = True
) -> ReconcileResult:
    """Check every dataset: read == written + quarantined_total + deduplicated, and the quarantine rate.

    Raises ReconcileError naming each failing dataset and its numbers, unless `raise_on_failure`
    is False (then the caller reads `result.passed` and `result.failures`).
    """
    datasets = manifest.get("datasets")
    if not isinstance(datasets, dict) or not datasets:
        raise ReconcileError("the run manifest lists no datasets: rerun the Glue job.")
    result = ReconcileResult(run_date=str(manifest.get("run_date", "")))
    for name, entry in sorted(datasets.items()):
        result.checks.extend(_check_dataset(name, entry, max_quarantine_rate))
        result.checks.append(_check_some_good(name, entry, result.run_date))
    if raise_on_failure and not result.passed:
        raise ReconcileError(
            f"reconciliation failed for {result.run_date}: " + "; ".join(c.message for c in result.failures)
        )
    return result


def _check_dataset(name: str, entry: Any, max_rate: float) -> list[CheckResult]:
    counts = _counts(name, entry)
    read, written, dedup, quarantined = (counts[k] for k in _COUNT_KEYS)
    by_reason = sum(entry.get("quarantined", {}).values())
    balance = written + quarantined + dedup
    rate = quarantined / read if read else 0.0
    return [
        CheckResult(
            f"{name}.balance",
            read == balance,
            f"{name}: read {read} "
            + ("==" if read == balance else "!=")
            + f" written {written} + quarantined {quarantined} + deduplicated {dedup}"
            + ("" if read == balance else f" (off by {read - balance})"),
        ),
        CheckResult(
            f"{name}.quarantine_reasons",
            by_reason == quarantined,
            f"{name}: quarantined per reason sums to {by_reason}, quarantined_total is {quarantined}",
        ),
        CheckResult(
            f"{name}.quarantine_rate",
            rate <= max_rate,
            f"{name}: quarantine rate {rate:.2%} ({quarantined} of {read}) "
            + ("within" if rate <= max_rate else "exceeds")
            + f" the limit {max_rate:.2%}",
        ),
    ]


def _check_some_good(name: str, entry: dict[str, Any], run_date: str) -> CheckResult:
    """A partition that had records and yielded none is a bad delivery, whatever the rate limit."""
    read, written, dedup = entry["read"], entry["written"], entry["deduplicated"]
    all_bad = read > 0 and written == 0 and dedup == 0
    reasons = sorted(entry.get("quarantined", {}).items(), key=lambda item: (-item[1], item[0]))[
        :_TOP_REASONS
    ]
    top = ", ".join(f"{reason} {count}" for reason, count in reasons)
    return CheckResult(
        f"{name}.some_good",
        not all_bad,
        f"{name}: every record of raw partition {name}/dt={run_date} is bad ({read} of {read} quarantined;"
        f" top reasons: {top}): fix the delivery and land it again"
        if all_bad
        else f"{name}: {written} of {read} records written",
    )


def _counts(name: str, entry: Any) -> dict[str, int]:
    if not isinstance(entry, dict):
        raise ReconcileError(f"dataset {name!r} in the run manifest is not an object: rerun the Glue job.")
    counts = {}
    for key in _COUNT_KEYS:
        value = entry.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ReconcileError(
                f"dataset {name!r} in the run manifest has {key}={value!r}, not a count: rerun the Glue job."
            )
        counts[key] = value
    quarantined = entry.get("quarantined", {})
    if not isinstance(quarantined, dict) or not all(isinstance(v, int) for v in quarantined.values()):
        raise ReconcileError(f"dataset {name!r} has a malformed 'quarantined' object: rerun the Glue job.")
    return counts
