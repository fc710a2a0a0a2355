"""SNS summaries and alerts, published to and read back from the moto server over HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import boto3
import pytest

from include.dataops.observability.notify import (
    _subject,
    build_run_summary,
    format_summary,
    report_run,
    send_alert,
    send_run_summary,
)
from include.dataops.pipeline.dbt_results import parse_run_results
from include.dataops.settings import REPO_ROOT, CloudWatch, Settings, Sns
from tooling.local.gx_sample import build_sample, sample_conn_id, sample_connection_uri
from tooling.local.topic_capture import TopicCapture

MANIFEST = {
    "run_date": "2026-11-23",
    "datasets": {
        "orders": {
            "read": 1000,
            "written": 950,
            "deduplicated": 10,
            "quarantined": {"unknown_status": 3, "malformed_json": 37},
            "quarantined_total": 40,
        },
        "customers": {
            "read": 50,
            "written": 50,
            "deduplicated": 0,
            "quarantined": {},
            "quarantined_total": 0,
        },
    },
}
GX = {
    "run_date": "2026-11-23",
    "success": True,
    "checks": [{"suite": "s", "check": "c", "success": True, "detail": "ok"}],
    "result_uris": {},
    "docs_uri": "s3://artifacts/gx/data_docs/index.html",
    "docs_local": "",
}


@pytest.fixture(scope="module")
def own_topics(settings: Settings, aws_endpoint: str) -> Iterator[Settings]:
    """Topics of this module's own, so other tests' alerts never land in these captures."""
    suffix = uuid.uuid4().hex[:8]
    sns_settings = Sns(alerts_topic=f"test-alerts-{suffix}", notifications_topic=f"test-notes-{suffix}")
    sns = boto3.client("sns", endpoint_url=aws_endpoint, region_name=settings.aws_region)
    arns = [sns.create_topic(Name=name)["TopicArn"] for name in vars(sns_settings).values()]
    yield replace(settings, sns=sns_settings)
    for arn in arns:
        sns.delete_topic(TopicArn=arn)


def test_summary_names_rows_quarantine_reasons_dbt_gx_and_docs() -> None:
    summary = build_run_summary(
        "2026-11-23",
        "local",
        manifest=MANIFEST,
        dbt={"models_total": 5, "models_passed": 5, "tests_total": 30, "tests_passed": 30},
        gx=GX,
        gate={"passed": True, "checks_passed": 42},
        mart_rows={"orders": 950},
        docs={"dbt_docs": "s3://artifacts/dbt/index.html"},
    )
    subject, message = format_summary(summary)
    assert subject == "[local] orders 2026-11-23: published"
    for expected in (
        "orders: read 1000, written 950, deduplicated 10, quarantined 40",
        "  quarantined malformed_json: 37",
        "  quarantined unknown_status: 3",
        "marts: orders 950 rows",
        "dbt: 5/5 models, 30/30 tests passed",
        "Great Expectations: passed, 1/1 checks in 1 suites",
        "quality gate: passed, 42 checks",
        "gx_data_docs: s3://artifacts/gx/data_docs/index.html",
        "dbt_docs: s3://artifacts/dbt/index.html",
    ):
        assert expected in message.splitlines()


def test_subjects_are_made_acceptable_to_sns() -> None:
    assert _subject("line one\nline two") == "line one line two"
    long = _subject("x" * 150)
    assert len(long) == 100 and long.endswith("...")
    assert _subject("café") == "caf?"


def test_summary_goes_to_notifications_and_alert_to_alerts(own_topics: Settings) -> None:
    summary = build_run_summary("2026-11-23", "local", manifest=MANIFEST)
    with (
        TopicCapture(own_topics, own_topics.notifications_topic_arn) as notes,
        TopicCapture(own_topics, own_topics.alerts_topic_arn) as alerts,
    ):
        send_run_summary(own_topics, summary)
        send_alert(own_topics, "gate failed\nfor 2026-11-23", "quality gate failed\n- check a\n- check b")
        received_notes = notes.wait_for(1)
        received_alerts = alerts.wait_for(1)
        assert alerts.wait_for(1, subject_contains="2026-11-23") == received_alerts
        assert alerts.wait_for(1, timeout_seconds=1, subject_contains="2031-01-01") == []
    # A notice to the notifications topic, a page to the alerts topic, each saying so first.
    assert [m.subject for m in received_notes] == ["[NOTICE] [local] orders 2026-11-23: published"]
    assert received_notes[0].message.splitlines()[:3] == [
        "Severity: NOTICE",
        "What broke: nothing: the run published",
        "Runbook: orders_nightly Docs (doc_md), entry report",
    ]
    assert "orders: read 1000, written 950, deduplicated 10, quarantined 40" in received_notes[0].message
    assert len(received_alerts) == 1
    assert received_alerts[0].subject == "[PAGE] gate failed for 2026-11-23"
    assert received_alerts[0].message.splitlines() == [
        "Severity: PAGE",
        "What broke: gate failed for 2026-11-23",
        "Runbook: orders_nightly Docs (doc_md), entry quality_gate",
        "",
        "quality gate failed",
        "- check a",
        "- check b",
    ]


def test_every_runbook_entry_a_message_names_is_in_the_dags_doc_md() -> None:
    """A page that points at a missing section sends on-call nowhere."""
    doc = (REPO_ROOT / "dags" / "orders_nightly.py").read_text()
    for entry in ("quality_gate", "report", "dbt_timing", "run timed out", "data stale", "glue_transform"):
        assert f"- **{entry}**" in doc, entry


def test_capture_removes_its_queue_and_subscription(own_topics: Settings, aws_endpoint: str) -> None:
    sqs = boto3.client("sqs", endpoint_url=aws_endpoint, region_name=own_topics.aws_region)
    sns = boto3.client("sns", endpoint_url=aws_endpoint, region_name=own_topics.aws_region)
    with TopicCapture(own_topics, own_topics.alerts_topic_arn) as capture:
        assert capture.wait_for(1, timeout_seconds=1) == []
        name = capture.queue_name
        assert any(name in url for url in sqs.list_queues(QueueNamePrefix=name).get("QueueUrls", []))
    assert not sqs.list_queues(QueueNamePrefix=name).get("QueueUrls")
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=own_topics.alerts_topic_arn)["Subscriptions"]
    assert not [s for s in subscriptions if name in s["Endpoint"]]


def test_report_run_sends_metrics_then_the_summary(
    own_topics: Settings, aws_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample = build_sample(tmp_path, "2031-04-01", own_topics, history_days=2, orders_per_day=10)
    monkeypatch.setenv(f"AIRFLOW_CONN_{sample_conn_id(tmp_path).upper()}", sample_connection_uri(tmp_path))
    sample = replace(sample, cloudwatch=CloudWatch(namespace=f"Test/report-{uuid.uuid4().hex[:8]}"))
    dbt = parse_run_results([{"results": [{"unique_id": "model.p.orders", "status": "success",
                                           "execution_time": 2.0},
                                          {"unique_id": "test.p.orders_held_too_long", "status": "warn",
                                           "execution_time": 0.1, "failures": 4}]}])  # fmt: skip
    with TopicCapture(sample, sample.notifications_topic_arn) as notes:
        summary = report_run("2031-04-01", settings=sample, manifest=MANIFEST, dbt=dbt, gx=GX)
        [received] = notes.wait_for(1)
    assert summary["mart_rows"] == {"orders": 30, "orders_daily": 3, "customers": 50}
    assert summary["warnings"] == ["dbt test orders_held_too_long warned: 4 rows"]
    assert "marts: orders 30 rows, orders_daily 3 rows, customers 50 rows" in received.message
    assert "WARNING: dbt test orders_held_too_long warned: 4 rows" in received.message
    cloudwatch = boto3.client("cloudwatch", endpoint_url=aws_endpoint, region_name=sample.aws_region)
    names = {
        m["MetricName"] for m in cloudwatch.list_metrics(Namespace=sample.cloudwatch.namespace)["Metrics"]
    }
    assert {"PipelineSuccess", "MartRows", "RecordsRead"} <= names
    # Each has one publisher: the dbt_timing task and the freshness Lambda.
    assert not {"DbtModelDuration", "DataFreshness"} & names


def test_report_run_still_sends_the_summary_when_metrics_fail(own_topics: Settings) -> None:
    broken = replace(own_topics, warehouse=replace(own_topics.warehouse, conn_id="no_such_warehouse"))
    with TopicCapture(broken, broken.notifications_topic_arn) as notes:
        summary = report_run("2031-04-02", settings=broken, manifest=MANIFEST)
        [received] = notes.wait_for(1)
    assert summary["warnings"][0].startswith(
        "metrics not (all) published: warehouse connection 'no_such_warehouse'"
    )
    assert "WARNING: metrics not (all) published" in received.message
