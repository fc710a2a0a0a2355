"""The history-based bounds the suites are built with."""

from __future__ import annotations

from include.dataops.gx.config import GxConfig
from include.dataops.gx.suites import mean_bounds, volume_bounds

CONFIG = GxConfig()


def test_volume_bounds_use_trailing_median_with_enough_history() -> None:
    bounds = volume_bounds([100, 120, 80, 1000], CONFIG)
    assert (bounds.low, bounds.high) == (55, 220)
    assert "median 110" in bounds.basis


def test_volume_bounds_fall_back_to_the_floor_when_history_is_short() -> None:
    bounds = volume_bounds([500, 600], CONFIG)
    assert (bounds.low, bounds.high) == (CONFIG.thresholds.volume_floor, None)
    assert "2 days of history" in bounds.basis


def test_mean_bounds_are_clipped_to_the_absolute_range() -> None:
    assert (
        mean_bounds([], CONFIG).low,
        mean_bounds([], CONFIG).high,
    ) == CONFIG.thresholds.order_total_mean_range
    bounds = mean_bounds([100.0, 200.0, 300.0], CONFIG)
    assert (bounds.low, bounds.high) == (100.0, 400.0)
    huge = mean_bounds([9_000.0] * 3, CONFIG)
    assert huge.high == CONFIG.thresholds.order_total_mean_range[1]
