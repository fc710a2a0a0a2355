"""The expectation suites, built in code from the config and from the warehouse's own history.

Static suites cannot say "today's volume looks like the last two weeks", so the bounds are
computed at run time from earlier days (``Bounds``) and written into the suite. Each
expectation carries ``meta.check``: the name the quality gate prints when it fails.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from include.dataops.gx.config import GxConfig, known_quarantine_reasons

if TYPE_CHECKING:
    from great_expectations import ExpectationSuite

ORDERS_DAILY_SUITE = "orders_daily_volume"
ORDERS_SUITE = "orders_distribution"
QUARANTINE_SUITE = "quarantine_records"
CUSTOMERS_SUITE = "curated_customers"
SUITE_NAMES = (ORDERS_DAILY_SUITE, ORDERS_SUITE, QUARANTINE_SUITE, CUSTOMERS_SUITE)


# Row counts are bounded by ints (GX's row-count expectation takes only ints), means by floats.
Number = TypeVar("Number", int, float)


@dataclass(frozen=True)
class Bounds(Generic[Number]):
    low: Number
    high: Number | None
    basis: str


def volume_bounds(history: Sequence[float], config: GxConfig) -> Bounds[int]:
    """Today's order count must sit in [low x, high x] the trailing median, or above the floor."""
    t = config.thresholds
    if len(history) < t.min_history_days:
        return Bounds(
            t.volume_floor, None, f"absolute floor {t.volume_floor} ({len(history)} days of history)"
        )
    median = statistics.median(history)
    low = max(t.volume_floor, math.floor(t.volume_low_ratio * median))
    high = math.ceil(t.volume_high_ratio * median)
    return Bounds(
        low, high, f"{t.volume_low_ratio}x..{t.volume_high_ratio}x the {len(history)}-day median {median:g}"
    )


def mean_bounds(history: Sequence[float], config: GxConfig) -> Bounds[float]:
    """The mean order total: inside the absolute range and, with history, near the trailing median."""
    t = config.thresholds
    low, high = t.order_total_mean_range
    if len(history) < t.min_history_days:
        return Bounds(low, high, f"absolute range {low:g}..{high:g}")
    median = statistics.median(history)
    return Bounds(
        max(low, round(t.mean_low_ratio * median, 2)),
        min(high, round(t.mean_high_ratio * median, 2)),
        f"{t.mean_low_ratio}x..{t.mean_high_ratio}x the {len(history)}-day median average {median:g}",
    )


def build_suites(
    config: GxConfig, volume: Bounds[int], mean: Bounds[float], reasons: Sequence[str] | None = None
) -> dict[str, ExpectationSuite]:
    """Every suite of the marts checkpoint, by name."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    c, t = config.columns, config.thresholds
    reason_set = sorted(reasons or known_quarantine_reasons())

    def meta(check: str, basis: str = "") -> dict[str, str]:
        return {"check": check, **({"basis": basis} if basis else {})}

    return {
        ORDERS_DAILY_SUITE: gx.ExpectationSuite(
            name=ORDERS_DAILY_SUITE,
            expectations=[
                gxe.ExpectTableRowCountToEqual(value=1, meta=meta("orders_daily.day_present")),
                gxe.ExpectColumnValuesToBeBetween(
                    column=c.order_count,
                    min_value=volume.low,
                    max_value=volume.high,
                    meta=meta("orders_daily.order_count_within_history", volume.basis),
                ),
            ],
        ),
        ORDERS_SUITE: gx.ExpectationSuite(
            name=ORDERS_SUITE,
            expectations=[
                gxe.ExpectTableRowCountToBeBetween(
                    min_value=volume.low,
                    max_value=volume.high,
                    meta=meta("orders.row_count_within_history", volume.basis),
                ),
                gxe.ExpectColumnMeanToBeBetween(
                    column=c.order_total,
                    min_value=mean.low,
                    max_value=mean.high,
                    meta=meta("orders.order_total_mean", mean.basis),
                ),
                gxe.ExpectColumnMedianToBeBetween(
                    column=c.order_total,
                    min_value=t.order_total_median_range[0],
                    max_value=t.order_total_median_range[1],
                    meta=meta("orders.order_total_median"),
                ),
                # "95% of values at most X" is "the 95th percentile at most X". Written this way
                # because ExpectColumnQuantileValuesToBeBetween cannot store its result under
                # numpy 2 in GX 1.24.1 (numpy bools in the result: "bool is not JSON serializable").
                gxe.ExpectColumnValuesToBeBetween(
                    column=c.order_total,
                    max_value=t.order_total_p95_max,
                    mostly=0.95,
                    meta=meta("orders.order_total_p95", f"95th percentile at most {t.order_total_p95_max:g}"),
                ),
                gxe.ExpectColumnValuesToBeBetween(
                    column=c.order_total,
                    max_value=t.large_order_total,
                    mostly=1 - t.max_large_order_share,
                    meta=meta(
                        "orders.large_order_share",
                        f"at most {t.max_large_order_share:.0%} of orders above {t.large_order_total:g}",
                    ),
                ),
            ],
        ),
        QUARANTINE_SUITE: gx.ExpectationSuite(
            name=QUARANTINE_SUITE,
            expectations=[
                gxe.ExpectColumnValuesToNotBeNull(column=c.reason, meta=meta("quarantine.reason_present")),
                gxe.ExpectColumnValuesToBeInSet(
                    column=c.reason, value_set=reason_set, meta=meta("quarantine.reason_known")
                ),
                gxe.ExpectColumnValuesToBeInSet(
                    column=c.dataset, value_set=list(config.datasets), meta=meta("quarantine.dataset_known")
                ),
            ],
        ),
        CUSTOMERS_SUITE: gx.ExpectationSuite(
            name=CUSTOMERS_SUITE,
            expectations=[
                gxe.ExpectColumnValuesToNotBeNull(column=c.customer_id, meta=meta("customers.id_present")),
                gxe.ExpectColumnValuesToMatchRegex(
                    column=c.email, regex=t.email_regex, meta=meta("customers.email_format")
                ),
                gxe.ExpectColumnValuesToMatchRegex(
                    column=c.country, regex=t.country_regex, meta=meta("customers.country_code")
                ),
            ],
        ),
    }
