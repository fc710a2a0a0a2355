"""The four DORA metrics of one environment, from its deployment log and its run history.

Sources: the deployment log (tooling/deploy/log.py writes it) and the pipeline's run history
(run_history.py), both JSON objects in the artifacts bucket. Nothing is recorded twice: the
metrics are computed from those two logs after each deploy and each run, and published to
CloudWatch. The rules, as the tests work them out by hand:

- Deployment frequency: live deploys per day. A deploy is live when it succeeded and changed
  something; a no-op deploy (nothing uploaded or deleted) and one that failed (and so restored
  the previous versions) never went live.
- Lead time: per commit a live deploy shipped, from the commit to the deploy going live; the
  median over all of them.
- Change failure rate: the share of live deploys followed, within the settings' window and
  before the next live deploy (which then owns what follows), by a rollback, a failed run or a
  failed gate.
- Time to restore: a data incident opens at the first failed run, failed gate or stale table
  after a publish, and closes at the next publish; the mean over the incidents closed in the
  window. Incidents still open are counted apart, never averaged in.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from include.dataops.observability import run_history
from include.dataops.observability.metric_definitions import DORA_METRICS
from include.dataops.observability.run_history import (
    DEPLOYMENTS_PREFIX,
    GATE_FAILED,
    INCIDENTS,
    PUBLISHED,
    RUN_FAILED,
    RunEvent,
)

# Each DORA metric (metric_definitions.py: name, unit, dimension) and the key of dora()'s result it sends.
METRIC_KEYS = {
    "DoraDeploymentFrequency": "deployment_frequency_per_day",
    "DoraLeadTimeHours": "lead_time_hours_median",
    "DoraChangeFailureRate": "change_failure_rate",
    "DoraTimeToRestoreHours": "time_to_restore_hours_mean",
}


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _hours(delta: timedelta) -> float:
    return round(delta.total_seconds() / 3600, 2)


def is_live(deploy: Mapping[str, Any]) -> bool:
    """A deploy that succeeded and changed something: the only kind that changes what runs."""
    changed = any(deploy.get("changes", {}).values())
    return deploy.get("kind") == "deploy" and deploy.get("result") == "succeeded" and changed


def _commit_times(deploy: Mapping[str, Any]) -> list[str]:
    shipped = [c["time"] for c in deploy.get("commits") or [] if c.get("time")]
    return shipped or ([deploy["commit_time"]] if deploy.get("commit_time") else [])


def dora(
    deploys: Iterable[Mapping[str, Any]],
    events: Iterable[RunEvent],
    now: datetime,
    days: int = 30,
    failure_window_hours: int = 24,
) -> dict[str, Any]:
    """The four metrics over the last `days` days; see the module docstring for each rule."""
    since = now - timedelta(days=days)
    window = timedelta(hours=failure_window_hours)
    finished = sorted((d for d in deploys if d.get("finished_at")), key=lambda d: d["finished_at"])
    live = [d for d in finished if is_live(d) and _time(d["finished_at"]) >= since]
    rollbacks = [
        _time(d["finished_at"])
        for d in finished
        if d.get("kind") == "rollback" and d.get("result") == "succeeded"
    ]
    ordered = sorted(events, key=lambda e: e.at)
    failures_at = [_time(e.at) for e in ordered if e.kind in (RUN_FAILED, GATE_FAILED)] + rollbacks

    failed_changes = 0
    for index, deploy in enumerate(live):
        start = _time(deploy["finished_at"])
        end = start + window
        if index + 1 < len(live):
            end = min(end, _time(live[index + 1]["finished_at"]))
        failed_changes += any(start < at <= end for at in failures_at)

    lead_times = [
        _hours(_time(d["finished_at"]) - _time(committed)) for d in live for committed in _commit_times(d)
    ]
    restores, open_since = [], None
    for event in ordered:
        if event.kind in INCIDENTS and open_since is None:
            open_since = _time(event.at)
        elif event.kind == PUBLISHED and open_since is not None:
            if _time(event.at) >= since:
                restores.append(_hours(_time(event.at) - open_since))
            open_since = None
    return {
        "window_days": days,
        "deployments": len(live),
        "deployment_frequency_per_day": round(len(live) / days, 3),
        "lead_time_hours_median": statistics.median(lead_times) if lead_times else None,
        "change_failure_rate": round(failed_changes / len(live), 3) if live else None,
        "time_to_restore_hours_mean": round(statistics.mean(restores), 2) if restores else None,
        "incidents_restored": len(restores),
        "incident_open_since": open_since.isoformat() if open_since else None,
    }


def metric_data(metrics: Mapping[str, Any], environment: str, when: datetime) -> list[dict[str, Any]]:
    """The metrics in PutMetricData's shape, one datum each; a metric with no value sends none."""
    return [
        {
            "MetricName": definition.name,
            "Dimensions": [{"Name": definition.dimensions[0], "Value": environment}],
            "Value": float(metrics[METRIC_KEYS[definition.name]]),
            "Unit": definition.unit,
            "Timestamp": when,
        }
        for definition in DORA_METRICS
        if metrics.get(METRIC_KEYS[definition.name]) is not None
    ]


def collect(
    s3: Any, bucket: str, environment: str, now: datetime, days: int, failure_window_hours: int
) -> dict[str, Any]:
    """Read both logs from the artifacts bucket and compute the metrics."""
    deploys = run_history.read_json_objects(s3, bucket, f"{DEPLOYMENTS_PREFIX}{environment}/")
    events = run_history.read(s3, bucket, environment)
    return dora(deploys, events, now, days, failure_window_hours)


def publish(
    cloudwatch: Any, namespace: str, metrics: Mapping[str, Any], environment: str, when: datetime
) -> int:
    """Send the metrics to CloudWatch; returns how many datums were sent."""
    data = metric_data(metrics, environment, when)
    if data:
        cloudwatch.put_metric_data(Namespace=namespace, MetricData=data)
    return len(data)
