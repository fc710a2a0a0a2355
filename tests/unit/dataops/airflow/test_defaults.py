"""The shared task callbacks, against the real emulator."""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import boto3
import pytest
from airflow.sdk import DAG
from airflow.sdk.exceptions import AirflowFailException
from jinja2 import UndefinedError

from include.dataops.airflow.defaults import (
    dag_args,
    default_args,
    notify_failure,
    record_run_event,
    record_stage_duration,
)
from include.dataops.observability import run_history
from include.dataops.observability.metrics import cloudwatch_client
from tooling.local.emulator import with_services_down
from tooling.local.topic_capture import TopicCapture


def test_default_args_retry_and_call_back_on_failure_and_success(settings):
    args = default_args()
    assert args["retries"] == settings.retries.count >= 2
    assert args["on_failure_callback"] and args["on_success_callback"]
    assert args["execution_timeout"] == timedelta(minutes=settings.monitoring.task_timeout_minutes)


def test_a_run_is_bounded_by_its_dagrun_timeout_and_pages_when_it_hits_it(settings):
    args = dag_args()
    assert args["dagrun_timeout"] == timedelta(minutes=settings.monitoring.dagrun_timeout_minutes)
    assert args["dagrun_timeout"] > timedelta(minutes=settings.monitoring.task_timeout_minutes)
    # A run failed by a task was paged by the task's callback: the DAG callback returns before
    # rendering anything (a timed-out run with this empty context fails rendering `dag`).
    args["on_failure_callback"]({"reason": "task_failure"})
    with pytest.raises(UndefinedError, match="'dag' is undefined"):
        args["on_failure_callback"]({"reason": "timed_out"})


def test_a_finished_task_publishes_its_stage_duration(settings):
    task_id = f"stage_{datetime.now(UTC):%H%M%S%f}"
    ti = SimpleNamespace(task_id=task_id, start_date=datetime.now(UTC) - timedelta(seconds=42))
    record_stage_duration({"ti": ti})
    metrics = cloudwatch_client(settings).list_metrics(
        Namespace=settings.cloudwatch.namespace,
        MetricName="StageDuration",
        Dimensions=[{"Name": "Stage", "Value": task_id}],
    )["Metrics"]
    assert len(metrics) == 1


def test_a_failed_gate_and_a_publish_land_in_the_run_history(settings, aws_endpoint):
    """The incidents DORA's time to restore reads, written by the real callbacks to the emulator."""
    run_id = f"test_{datetime.now(UTC):%H%M%S%f}"
    started = datetime.now(UTC) - timedelta(seconds=3)
    gate = SimpleNamespace(task_id="quality_gate", dag_id="orders_nightly", run_id=run_id, start_date=started)
    publish = SimpleNamespace(task_id="publish", dag_id="orders_nightly", run_id=run_id, start_date=started)

    record_run_event({"ti": gate}, run_history.GATE_FAILED)
    record_stage_duration({"ti": publish})

    s3 = boto3.client("s3", endpoint_url=aws_endpoint, region_name=settings.aws_region)
    events = [e for e in run_history.read(s3, settings.buckets.artifacts, "local") if e.run_id == run_id]
    assert [(e.kind, e.detail) for e in events] == [
        (run_history.GATE_FAILED, "quality_gate"),
        (run_history.PUBLISHED, "publish"),
    ]


def test_a_failed_gate_pages_once_and_any_other_failed_task_pages_from_its_callback(settings, aws_endpoint):
    """The gate paged its verdict itself (every failed check): its callback only records the
    incident. A task failing any other way is paged by the callback."""
    run_id = f"test_{datetime.now(UTC):%H%M%S%f}"
    dag = DAG("orders_nightly", schedule=None)

    def ti(task_id: str) -> SimpleNamespace:
        return SimpleNamespace(
            task_id=task_id, dag_id="orders_nightly", run_id=run_id, try_number=1, log_url=""
        )

    with TopicCapture(settings, settings.alerts_topic_arn) as alerts:
        verdict = AirflowFailException("quality gate failed for 2026-11-23: 1 of 9 checks failed")
        notify_failure({"ti": ti("quality_gate"), "dag": dag, "run_id": run_id, "exception": verdict})
        crash = RuntimeError("S3 unreachable")
        notify_failure({"ti": ti("reconcile"), "dag": dag, "run_id": run_id, "exception": crash})
        ours = f"(run {run_id},"  # end-to-end runs on the other test worker page the same topic
        alerts.wait_for(
            1, timeout_seconds=60, subject_contains="task failed: reconcile", message_contains=ours
        )
        # The gate's callback ran first: had it paged, that page would be in the queue by now.
        pages = alerts.wait_for(2, timeout_seconds=2, subject_contains="task failed", message_contains=ours)
    assert [p.subject for p in pages] == ["[PAGE] [orders_nightly] task failed: reconcile"]
    assert "S3 unreachable" in pages[0].message

    s3 = boto3.client("s3", endpoint_url=aws_endpoint, region_name=settings.aws_region)
    events = [e for e in run_history.read(s3, settings.buckets.artifacts, "local") if e.run_id == run_id]
    assert [(e.kind, e.detail) for e in events] == [
        (run_history.GATE_FAILED, "quality_gate"),
        (run_history.RUN_FAILED, "reconcile"),
    ]


def test_with_sns_down_a_failed_task_still_fails_and_its_page_is_in_the_log(
    settings, aws_endpoint, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    """The callback never raises for SNS (the task's own failure is what the run reports): it logs
    the SNS error, then the rendered subject and message, one line each."""
    for name, value in with_services_down(dict(os.environ), "sns").items():
        monkeypatch.setenv(name, value)
    run_id = f"test_{datetime.now(UTC):%H%M%S%f}"
    ti = SimpleNamespace(
        task_id="reconcile", dag_id="orders_nightly", run_id=run_id, try_number=1, log_url=""
    )
    context = {"ti": ti, "dag": DAG("orders_nightly", schedule=None), "run_id": run_id}
    with caplog.at_level(logging.ERROR):
        notify_failure({**context, "exception": RuntimeError("S3 unreachable")})
    logged = [r.getMessage() for r in caplog.records]
    assert any(line.startswith(f"SNS publish to {settings.alerts_topic_arn} failed") for line in logged), (
        logged
    )
    assert 'unsent SNS subject: "[PAGE] [orders_nightly] task failed: reconcile"' in logged
    message = next(line for line in logged if line.startswith("unsent SNS message: "))
    assert "S3 unreachable" in json.loads(message.removeprefix("unsent SNS message: "))
