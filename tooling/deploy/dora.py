"""The four DORA metrics of one environment, from its deployment log (tooling/deploy/log.py).

The log already holds what they need: each record's commit time, end time, kind and result, so
the metrics are computed, never separately recorded.
"""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from typing import Any

from tooling.deploy.log import DEPLOY, FAILED, ROLLBACK, SUCCEEDED, Record


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _hours(delta: timedelta) -> float:
    return round(delta.total_seconds() / 3600, 2)


def dora(records: list[Record], now: datetime, days: int = 30) -> dict[str, Any]:
    """The four DORA metrics over the last `days` days of one environment's log.

    A change failed if its deployment failed or the next successful record undid it (a rollback).
    Time to restore runs from a failed change's end to the next successful deployment or rollback.
    """
    since = now - timedelta(days=days)
    window = [r for r in records if r.finished_at and _time(r.finished_at) >= since]
    deploys = [r for r in window if r.kind == DEPLOY]
    succeeded = [r for r in deploys if r.result == SUCCEEDED]
    ordered = sorted(window, key=lambda r: r.finished_at)
    failures, restore_hours = 0, []
    for index, record in enumerate(ordered):
        if record.kind != DEPLOY:
            continue
        later = [r for r in ordered[index + 1 :] if r.result == SUCCEEDED]
        rolled_back = bool(later) and later[0].kind == ROLLBACK
        if record.result == FAILED or rolled_back:
            failures += 1
            if later:
                restore_hours.append(_hours(_time(later[0].finished_at) - _time(record.finished_at)))
    lead_times = [_hours(_time(r.finished_at) - _time(r.commit_time)) for r in succeeded if r.commit_time]
    return {
        "window_days": days,
        "deployments": len(deploys),
        "deployment_frequency_per_day": round(len(succeeded) / days, 3),
        "lead_time_hours_median": statistics.median(lead_times) if lead_times else None,
        "change_failure_rate": round(failures / len(deploys), 3) if deploys else None,
        "time_to_restore_hours_mean": round(statistics.mean(restore_hours), 2) if restore_hours else None,
    }
