"""Table and column names the GX checks read, and their thresholds: the one place to change them.

Names follow the dbt marts (dbt/models/marts/_marts.yml) and the curated / quarantine contract
(docs/data-contracts.md). Thresholds are deliberately loose: dbt tests hold the hard rules; these
checks catch what dbt does not see, such as a day with half the usual orders.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

GLUE_SCRIPT = Path(__file__).resolve().parents[3] / "glue_jobs" / "orders_transform.py"
# What GX uses where glue_jobs/orders_transform.py (which owns REASONS) is absent, as on MWAA: the
# Glue scripts go to the scripts bucket, not the DAGs prefix. A test holds the two equal.
FALLBACK_REASONS = (
    "created_outside_partition",
    "invalid_encoding",
    "invalid_value",
    "malformed_json",
    "missing_field",
    "unknown_status",
    "unreadable_file",
    "wrong_type",
)


@dataclass(frozen=True)
class Tables:
    orders_daily: str = "orders_daily"
    orders: str = "orders"
    customers: str = "customers"


@dataclass(frozen=True)
class Columns:
    order_date: str = "order_date"
    order_count: str = "order_count"
    order_total_avg: str = "order_total_avg"
    order_id: str = "order_id"
    customer_id: str = "customer_id"
    order_total: str = "order_total"
    order_status: str = "order_status"
    created_at: str = "created_at"
    # Curated zone (the Glue job's output), not the marts.
    email: str = "email"
    country: str = "country"
    # Quarantine records.
    dataset: str = "dataset"
    reason: str = "reason"


@dataclass(frozen=True)
class Thresholds:
    history_days: int = 14
    # Fewer days of history than this, and only the absolute floor applies.
    min_history_days: int = 3
    volume_low_ratio: float = 0.5
    volume_high_ratio: float = 2.0
    volume_floor: int = 1
    mean_low_ratio: float = 0.5
    mean_high_ratio: float = 2.0
    order_total_mean_range: tuple[float, float] = (1.0, 10_000.0)
    order_total_median_range: tuple[float, float] = (1.0, 10_000.0)
    order_total_p95_max: float = 50_000.0
    large_order_total: float = 5_000.0
    max_large_order_share: float = 0.05
    email_regex: str = r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$"
    country_regex: str = r"^[A-Z]{2}$"


@dataclass(frozen=True)
class GxConfig:
    tables: Tables = field(default_factory=Tables)
    columns: Columns = field(default_factory=Columns)
    thresholds: Thresholds = field(default_factory=Thresholds)
    datasets: tuple[str, ...] = ("orders", "customers")


def known_quarantine_reasons(glue_script: Path = GLUE_SCRIPT) -> tuple[str, ...]:
    """The closed set of quarantine reasons, read from the Glue script without importing Spark."""
    if not glue_script.is_file():
        return FALLBACK_REASONS
    for node in ast.walk(ast.parse(glue_script.read_text())):
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "REASONS" for t in targets) and node.value:
                return _literal_names(node.value, glue_script)
    return FALLBACK_REASONS


def _literal_names(value: ast.expr, source: Path) -> tuple[str, ...]:
    """REASONS as a literal tuple/set/dict, or wrapped in one call such as frozenset({...})."""
    if isinstance(value, ast.Call) and len(value.args) == 1:
        value = value.args[0]
    try:
        names = ast.literal_eval(value)
    except ValueError:
        raise ValueError(
            f"REASONS in {source} is not a literal: write it as a tuple, set or dict of reason names."
        ) from None
    return tuple(sorted(names.keys() if isinstance(names, dict) else names))
