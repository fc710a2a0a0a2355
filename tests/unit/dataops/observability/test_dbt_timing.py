"""dbt model timing: the regression rule on the seed's case and on noise, and the task end to end
on the emulator (history and run_results in S3, metrics read back, the page captured off SNS)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from include.dataops.observability import dbt_timing, metrics
from include.dataops.pipeline.dbt_artifacts import RUN_RESULTS_PREFIX
from include.dataops.settings import CloudWatch, Settings, Sns
from tooling.local.topic_capture import TopicCapture

NOW = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)
# A model that normally runs 90 s, with the day-to-day wobble of a real warehouse.
USUAL = [88.0, 91.0, 90.0, 93.0, 87.0, 90.0, 92.0]


def rule(settings: Settings) -> dict[str, Any]:
    m = settings.monitoring
    return {
        "factor": m.dbt_regression_factor,
        "floor_seconds": m.dbt_regression_floor_seconds,
        "history_runs": m.dbt_regression_history_runs,
    }


def history(**models: list[float]) -> list[dict[str, float]]:
    runs = max(len(v) for v in models.values())
    return [{m: v[i] for m, v in models.items() if i < len(v)} for i in range(runs)]


def test_the_seeds_90_seconds_to_12_minutes_regresses(settings: Settings) -> None:
    [found] = dbt_timing.find_regressions({"orders": 720.0}, history(orders=USUAL), **rule(settings))

    assert (found.model, found.seconds, found.baseline_seconds) == ("orders", 720.0, 90.0)
    assert found.limit_seconds == 270.0  # max(3 x 90, 90 + 60)
    assert "orders took 720 s, 8.0x its median 90 s" in found.describe()


@pytest.mark.parametrize("wobble", [0.9, 1.1, 1.5, 2.9])
def test_ordinary_wobble_does_not(settings: Settings, wobble: float) -> None:
    assert (
        dbt_timing.find_regressions({"orders": 90.0 * wobble}, history(orders=USUAL), **rule(settings)) == []
    )


def test_short_models_need_the_absolute_floor_and_new_models_a_history(settings: Settings) -> None:
    past = history(tiny=[2.0, 2.1, 1.9, 2.0], new=[30.0, 31.0])

    # 2 s -> 50 s is 25x, but under 2 + 60 s; a model with two timings has no baseline yet.
    assert dbt_timing.find_regressions({"tiny": 50.0, "new": 900.0}, past, **rule(settings)) == []
    assert [r.model for r in dbt_timing.find_regressions({"tiny": 63.0}, past, **rule(settings))] == ["tiny"]


def test_the_baseline_is_the_rolling_window_only(settings: Settings) -> None:
    # Once slow for weeks (600 s), now fast for the window's 14 runs: 600 s again is a regression.
    past = history(orders=[600.0] * 20 + [90.0] * settings.monitoring.dbt_regression_history_runs)

    assert [
        r.baseline_seconds for r in dbt_timing.find_regressions({"orders": 600.0}, past, **rule(settings))
    ] == [90.0]


@pytest.fixture
def isolated(settings: Settings, aws_endpoint: str) -> Iterator[Settings]:
    """This test's own artifacts bucket, namespace and topics: nothing shared with other tests."""
    suffix = uuid.uuid4().hex[:8]
    s3 = boto3.client("s3", endpoint_url=aws_endpoint, region_name=settings.aws_region)
    sns = boto3.client("sns", endpoint_url=aws_endpoint, region_name=settings.aws_region)
    bucket = f"test-artifacts-{suffix}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": settings.aws_region})
    topics = Sns(alerts_topic=f"test-alerts-{suffix}", notifications_topic=f"test-notes-{suffix}")
    arns = [sns.create_topic(Name=name)["TopicArn"] for name in vars(topics).values()]
    yield replace(
        settings,
        buckets=replace(settings.buckets, artifacts=bucket),
        cloudwatch=CloudWatch(namespace=f"Test/{suffix}"),
        sns=topics,
    )
    for arn in arns:
        sns.delete_topic(TopicArn=arn)


def put_run_results(s3: Any, bucket: str, run_id: str, seconds: dict[str, float]) -> None:
    for model, duration in seconds.items():
        document = {
            "results": [
                {"unique_id": f"model.dataops.{model}", "status": "success", "execution_time": duration}
            ]
        }
        key = f"{RUN_RESULTS_PREFIX}/orders_nightly/{run_id}/dbt.{model}_run/1.json"
        s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(document).encode())


def regressions_metric(cloudwatch: Any, settings: Settings) -> list[float]:
    points = cloudwatch.get_metric_statistics(
        Namespace=settings.cloudwatch.namespace,
        MetricName=metrics.DBT_MODEL_REGRESSIONS,
        StartTime=datetime.now(UTC) - timedelta(hours=1),
        EndTime=datetime.now(UTC) + timedelta(hours=1),
        Period=3600,
        Statistics=["Maximum"],
    )["Datapoints"]
    return [p["Maximum"] for p in points]


def test_the_task_pages_a_regression_and_keeps_the_history(isolated: Settings, aws_endpoint: str) -> None:
    s3 = boto3.client("s3", endpoint_url=aws_endpoint, region_name=isolated.aws_region)
    cloudwatch = boto3.client("cloudwatch", endpoint_url=aws_endpoint, region_name=isolated.aws_region)
    env, bucket = isolated.environment, isolated.buckets.artifacts
    for day, seconds in enumerate(USUAL):
        dbt_timing.record(
            s3,
            bucket,
            env,
            f"scheduled_{day}",
            {"orders": seconds, "customers": 5.0},
            NOW - timedelta(days=7 - day),
        )
    put_run_results(s3, bucket, "manual_slow", {"orders": 720.0, "customers": 5.5})

    with TopicCapture(isolated, isolated.alerts_topic_arn) as alerts:
        described = dbt_timing.dbt_timing_task("orders_nightly", "manual_slow", settings=isolated)
        [page] = alerts.wait_for(1)

    assert len(described) == 1 and described[0].startswith("dbt model orders took 720 s")
    assert page.subject.startswith("[PAGE] [local] 1 dbt model(s) ran far slower")
    assert page.message.splitlines()[:3] == [
        "Severity: PAGE",
        "What broke: 1 dbt model(s) ran far slower than their baseline in orders_nightly run manual_slow",
        "Runbook: orders_nightly Docs (doc_md), entry dbt_timing",
    ]
    assert regressions_metric(cloudwatch, isolated) == [1.0]
    assert dbt_timing.read_history(s3, bucket, env, 100)[-1] == {"orders": 720.0, "customers": 5.5}
