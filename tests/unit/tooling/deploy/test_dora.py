"""DORA metrics from the deployment log: each metric computed by hand for a small, known history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tooling.deploy.dora import dora
from tooling.deploy.log import DEPLOY, FAILED, ROLLBACK, SUCCEEDED, Record

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def record(kind: str, result: str, finished_hours_ago: float, commit_hours_before: float = 2.0) -> Record:
    finished = NOW - timedelta(hours=finished_hours_ago)
    started = finished - timedelta(minutes=10)
    committed = finished - timedelta(hours=commit_hours_before)
    made = Record("prod", kind, "c0ffee", committed.isoformat(), started.isoformat())
    made.finished_at, made.result = finished.isoformat(), result
    return made


def test_the_four_metrics_over_a_known_history():
    history = [
        record(DEPLOY, SUCCEEDED, 100, commit_hours_before=4),  # lead time 4 h
        record(DEPLOY, FAILED, 80),  # a failed change, restored by the next success 20 h later
        record(DEPLOY, SUCCEEDED, 60, commit_hours_before=6),  # lead time 6 h; later rolled back
        record(ROLLBACK, SUCCEEDED, 59),  # restores 1 h after the bad change
        record(DEPLOY, SUCCEEDED, 10, commit_hours_before=1),  # lead time 1 h
        record(DEPLOY, SUCCEEDED, 24 * 40),  # outside the 30-day window
    ]

    metrics = dora(history, NOW, days=30)

    assert metrics["deployments"] == 4
    assert metrics["deployment_frequency_per_day"] == pytest.approx(3 / 30, abs=1e-3)
    assert metrics["lead_time_hours_median"] == 4.0
    assert metrics["change_failure_rate"] == 0.5
    assert metrics["time_to_restore_hours_mean"] == pytest.approx((20 + 1) / 2)


def test_an_empty_log_has_no_rates_rather_than_zero_division():
    metrics = dora([], NOW)

    assert metrics["deployments"] == 0
    assert metrics["change_failure_rate"] is None
    assert metrics["lead_time_hours_median"] is None
