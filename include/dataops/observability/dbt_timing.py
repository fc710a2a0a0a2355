"""dbt model timing: per-model history from every run's run_results, and the regression rule.

The rule, written once here: a model regressed when it took more than
    max(factor x baseline, baseline + floor_seconds)
where the baseline is the median of its last `history_runs` successful timings, and only once it
has at least MIN_HISTORY of them. The factor catches the seed's case (a 90 s model taking 12
minutes is 8x); the floor keeps short models' noise (2 s -> 9 s) and ordinary wobble (10-50%)
quiet; the median ignores one earlier outlier. Factor, floor and window are settings
(`monitoring.dbt_regression_*`).

The history is one small JSON per run in the artifacts bucket (`dbt/timings/<env>/`), written by
the DAG's dbt_timing task, which runs whether or not dbt, GX or the gate passed: a slow model is
news even on a night the data was bad. Each run publishes DbtModelDuration per model and
DbtModelRegressions (how many regressed; the alarm watches it), and a regression pages the
alerts topic.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from include.dataops.settings import Settings

TIMINGS_PREFIX = "dbt/timings/"
MIN_HISTORY = 3


@dataclass(frozen=True)
class Regression:
    model: str
    seconds: float
    baseline_seconds: float
    limit_seconds: float
    history_runs: int

    def describe(self) -> str:
        return (
            f"dbt model {self.model} took {self.seconds:.0f} s, {self.seconds / self.baseline_seconds:.1f}x "
            f"its median {self.baseline_seconds:.0f} s over the last {self.history_runs} runs "
            f"(limit {self.limit_seconds:.0f} s)"
        )


def find_regressions(
    current: Mapping[str, float],
    history: Sequence[Mapping[str, float]],
    *,
    factor: float,
    floor_seconds: float,
    history_runs: int,
) -> list[Regression]:
    """Models of `current` beyond the rule in the module docstring; `history` is oldest first."""
    found = []
    for model, seconds in sorted(current.items()):
        past = [run[model] for run in history if model in run][-history_runs:]
        if len(past) < MIN_HISTORY:
            continue
        baseline = statistics.median(past)
        limit = max(factor * baseline, baseline + floor_seconds)
        if seconds > limit:
            found.append(Regression(model, seconds, baseline, limit, len(past)))
    return found


def read_history(s3: Any, bucket: str, environment: str, limit: int) -> list[dict[str, float]]:
    """The last `limit` runs' successful model timings, oldest first."""
    from include.dataops.observability.run_history import read_json_objects

    records = sorted(read_json_objects(s3, bucket, f"{TIMINGS_PREFIX}{environment}/"), key=lambda r: r["at"])
    return [dict(r["models"]) for r in records[-limit:]]


def record(
    s3: Any, bucket: str, environment: str, run_id: str, models: Mapping[str, float], at: datetime
) -> str:
    """Store this run's timings under its run id, so a retried task replaces them, never doubles them."""
    safe_run = "".join(c if c.isalnum() or c in "-_." else "_" for c in run_id)
    key = f"{TIMINGS_PREFIX}{environment}/{safe_run}.json"
    body = {"run_id": run_id, "at": at.isoformat(), "models": dict(sorted(models.items()))}
    s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(body).encode(), ContentType="application/json")
    return key


def metric_data(
    models: Mapping[str, float], regressions: Sequence[Regression], when: datetime
) -> list[dict[str, Any]]:
    """DbtModelDuration per model, and the run's DbtModelRegressions count (zero included)."""
    from include.dataops.observability.metrics import build_metric_data

    return build_metric_data(dbt_durations=models, dbt_regressions=len(regressions), timestamp=when)


def check_run(
    settings: Settings,
    s3: Any,
    cloudwatch: Any,
    run_id: str,
    models: Mapping[str, float],
    now: datetime | None = None,
) -> list[Regression]:
    """Judge one run's timings against the history, then record them and publish the metrics.

    The history is read before this run is added, so a run is never its own baseline.
    """
    when = now or datetime.now(UTC)
    rule = settings.monitoring
    bucket, env = settings.buckets.artifacts, settings.environment
    history = read_history(s3, bucket, env, rule.dbt_regression_history_runs)
    regressions = find_regressions(
        models,
        history,
        factor=rule.dbt_regression_factor,
        floor_seconds=rule.dbt_regression_floor_seconds,
        history_runs=rule.dbt_regression_history_runs,
    )
    if models:
        record(s3, bucket, env, run_id, models, when)
    cloudwatch.put_metric_data(
        Namespace=settings.cloudwatch.namespace, MetricData=metric_data(models, regressions, when)
    )
    return regressions


def dbt_timing_task(dag_id: str, run_id: str, settings: Settings | None = None) -> list[str]:
    """The DAG's dbt_timing task: this run's model timings from its run_results, judged, recorded
    and published; a regression pages the alerts topic. Returns the regressions described.
    """
    import tempfile
    from pathlib import Path

    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    from include.dataops.observability.metrics import cloudwatch_client
    from include.dataops.observability.notify import send_page
    from include.dataops.pipeline import dbt_artifacts
    from include.dataops.pipeline.dbt_results import load_run_results
    from include.dataops.settings import load_settings

    settings = settings or load_settings()
    with tempfile.TemporaryDirectory() as tmp:
        paths = dbt_artifacts.download_run_results(settings, dag_id, run_id, Path(tmp))
        models = load_run_results(paths).model_durations if paths else {}
    s3 = S3Hook(aws_conn_id=settings.aws_conn_id, region_name=settings.aws_region).get_conn()
    regressions = check_run(settings, s3, cloudwatch_client(settings), run_id, models)
    lines = [r.describe() for r in regressions]
    if lines:
        send_page(
            settings,
            what=f"{len(lines)} dbt model(s) ran far slower than their baseline in {dag_id} run {run_id}",
            runbook="dbt_timing",
            detail="\n".join(lines),
        )
    return lines
