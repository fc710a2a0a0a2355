"""DORA from the deployment log and the run history: a crafted history, each answer worked by hand."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from include.dataops.observability import dora, run_history
from include.dataops.observability.run_history import (
    DATA_STALE,
    GATE_FAILED,
    PUBLISHED,
    RUN_FAILED,
    RunEvent,
)
from tooling.deploy import log as deploy_log
from tooling.deploy.log import DEPLOY, FAILED, ROLLBACK, SUCCEEDED, Record

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
REGION = "ca-central-1"
CHANGED = {"uploaded": ["dags/orders_nightly.py"], "deleted": [], "glue_scripts": []}
NOTHING = {"uploaded": [], "deleted": [], "glue_scripts": []}


def at(hours_ago: float) -> str:
    return (NOW - timedelta(hours=hours_ago)).isoformat()


def deploy(
    hours_ago: float,
    result: str = SUCCEEDED,
    changes: dict[str, list[str]] | None = None,
    commits_hours_ago: tuple[float, ...] = (),
    kind: str = DEPLOY,
) -> Record:
    made = Record("prod", kind, "c0ffee", at(hours_ago + 1), at(hours_ago + 0.2))
    made.finished_at, made.result = at(hours_ago), result
    made.changes = CHANGED if changes is None else changes
    made.commits = [{"sha": f"c{h}", "time": at(h)} for h in commits_hours_ago]
    return made


def event(kind: str, hours_ago: float) -> RunEvent:
    return RunEvent("prod", kind, at(hours_ago), "orders_nightly", f"run-{hours_ago}")


DEPLOYS = [
    deploy(24 * 40, commits_hours_ago=(24 * 40 + 1,)),  # before the 30-day window: ignored
    deploy(100, commits_hours_ago=(104, 102)),  # D1: lead times 4 h and 2 h
    deploy(90, changes=NOTHING, commits_hours_ago=(95,)),  # no-op: not a deployment, no lead time
    deploy(80, result=FAILED, commits_hours_ago=(85,)),  # failed before going live: not counted
    deploy(60, commits_hours_ago=(66,)),  # D4: lead time 6 h, rolled back 1 h later: a failure
    deploy(59, kind=ROLLBACK, changes=NOTHING),
    deploy(30, commits_hours_ago=(31,)),  # D5: lead time 1 h, a run fails 10 h later: a failure
    deploy(10, commits_hours_ago=(13,)),  # D6: lead time 3 h, nothing fails after it
]
EVENTS = [
    event(RUN_FAILED, 24 * 40),  # an incident restored before the window: not averaged
    event(PUBLISHED, 24 * 39.5),
    event(PUBLISHED, 99),
    event(GATE_FAILED, 70),  # 30 h after D1 (window 24 h) and before D4: nobody's failure
    event(RUN_FAILED, 69),  # the same incident, still open
    event(PUBLISHED, 48),  # restored: 70 - 48 = 22 h
    event(RUN_FAILED, 20),  # D5's failure; an incident
    event(PUBLISHED, 16),  # restored: 20 - 16 = 4 h
    event(DATA_STALE, 2),  # open: not averaged, reported as open
]


def test_the_four_metrics_over_a_crafted_history() -> None:
    metrics = dora.dora([asdict(d) for d in DEPLOYS], EVENTS, NOW, days=30, failure_window_hours=24)

    # Live deploys in the window: D1, D4, D5, D6.
    assert metrics["deployments"] == 4
    assert metrics["deployment_frequency_per_day"] == round(4 / 30, 3)
    # Lead times 4, 2, 6, 1, 3 hours: the median is 3.
    assert metrics["lead_time_hours_median"] == 3.0
    # D4 (rolled back) and D5 (a failed run within 24 h) of four.
    assert metrics["change_failure_rate"] == 0.5
    # Incidents restored in the window: 22 h and 4 h.
    assert metrics["time_to_restore_hours_mean"] == 13.0
    assert metrics["incidents_restored"] == 2
    assert metrics["incident_open_since"] == at(2)


def test_a_failure_belongs_to_the_latest_live_deploy_before_it() -> None:
    deploys = [deploy(30, commits_hours_ago=(31,)), deploy(10, commits_hours_ago=(11,))]

    metrics = dora.dora([asdict(d) for d in deploys], [event(GATE_FAILED, 8)], NOW, failure_window_hours=24)

    assert metrics["change_failure_rate"] == 0.5  # the second deploy's, not both


def test_an_empty_history_has_no_rates_rather_than_zero_division() -> None:
    metrics = dora.dora([], [], NOW)

    assert metrics["deployments"] == 0
    assert metrics["change_failure_rate"] is None
    assert metrics["lead_time_hours_median"] is None
    assert dora.metric_data(metrics, "prod", NOW) == [
        {
            "MetricName": "DoraDeploymentFrequency",
            "Dimensions": [{"Name": "Environment", "Value": "prod"}],
            "Value": 0.0,
            "Unit": "Count",
            "Timestamp": NOW,
        }
    ]


@pytest.fixture
def clients(aws_endpoint: str) -> tuple[Any, Any]:
    return (
        boto3.client("s3", region_name=REGION, endpoint_url=aws_endpoint),
        boto3.client("cloudwatch", region_name=REGION, endpoint_url=aws_endpoint),
    )


def test_both_logs_round_trip_through_s3_and_the_metrics_reach_cloudwatch(clients: tuple[Any, Any]) -> None:
    s3, cloudwatch = clients
    bucket, namespace = f"t{uuid.uuid4().hex[:10]}-artifacts", f"Test/Dora/{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    for record in DEPLOYS:
        deploy_log.append(s3, bucket, record)
    for item in EVENTS:
        run_history.append(s3, bucket, item)

    metrics = dora.collect(s3, bucket, "prod", NOW, days=30, failure_window_hours=24)
    sent = dora.publish(cloudwatch, namespace, metrics, "prod", NOW)

    assert metrics == dora.dora([asdict(d) for d in DEPLOYS], EVENTS, NOW, days=30, failure_window_hours=24)
    assert sent == 4
    points = cloudwatch.get_metric_statistics(
        Namespace=namespace,
        MetricName="DoraChangeFailureRate",
        Dimensions=[{"Name": "Environment", "Value": "prod"}],
        StartTime=NOW - timedelta(hours=1),
        EndTime=NOW + timedelta(hours=1),
        Period=3600,
        Statistics=["Maximum"],
    )["Datapoints"]
    assert [p["Maximum"] for p in points] == [0.5]
