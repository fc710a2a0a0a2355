"""The quality gate: every failed check named, missing stages fail, alerts reach SNS."""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Iterator
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest

from include.dataops.gx.results import GxCheck, GxResult
from include.dataops.pipeline.dbt_results import parse_run_results
from include.dataops.pipeline.quality_gate import (
    QualityGateError,
    check_quality_gate,
    evaluate_gate,
    run_quality_gate,
)
from include.dataops.pipeline.reconcile import reconcile
from include.dataops.settings import CloudWatch, Settings, Sns
from tooling.local.emulator import with_services_down
from tooling.local.topic_capture import TopicCapture

RUN_DATE = "2031-02-01"
P = "orders_analytics"


def manifest(orders_read: int = 100) -> dict:
    return {
        "run_date": RUN_DATE,
        "datasets": {
            "orders": {
                "read": orders_read,
                "written": 95,
                "deduplicated": 2,
                "quarantined": {"malformed_json": 3},
                "quarantined_total": 3,
            }
        },
    }


def run_results(test_status: str = "pass") -> dict:
    return {
        "results": [
            {"unique_id": f"model.{P}.orders", "status": "success", "execution_time": 1.0},
            {"unique_id": f"test.{P}.unique_orders_order_id.1", "status": test_status, "failures": 2},
        ]
    }


def gx(success: bool = True) -> GxResult:
    checks = [GxCheck("orders_distribution", "orders.order_total_mean", success, "observed 9000")]
    checks.append(GxCheck("curated_customers", "customers.email_format", True, "ok"))
    return GxResult(RUN_DATE, success, checks)


def test_pass_returns_counts_per_stage() -> None:
    recon = reconcile(manifest(), 0.1, raise_on_failure=False)
    summary = check_quality_gate(RUN_DATE, recon, parse_run_results([run_results()]), gx())
    assert summary == {
        "run_date": RUN_DATE,
        "passed": True,
        "checks_passed": 4 + 2 + 2,
        "checks_failed": 0,
        "passed_by_stage": {"reconciliation": 4, "dbt": 2, "gx": 2},
    }


def test_failure_names_every_failed_check_one_per_line() -> None:
    recon = reconcile(manifest(orders_read=101), 0.1, raise_on_failure=False)
    with pytest.raises(QualityGateError) as info:
        check_quality_gate(RUN_DATE, recon, parse_run_results([run_results("fail")]), gx(success=False))
    lines = str(info.value).splitlines()
    assert lines[0] == f"quality gate failed for {RUN_DATE}: 3 of 8 checks failed"
    assert lines[1].startswith("- reconciliation orders.balance: orders: read 101 != written 95")
    assert lines[2] == (
        f"- dbt test unique_orders_order_id (test.{P}.unique_orders_order_id.1): fail, 2 failing rows"
    )
    assert lines[3] == "- gx orders_distribution.orders.order_total_mean: observed 9000"
    assert len(lines) == 4


def test_missing_or_empty_stages_are_failures_not_passes() -> None:
    outcome = evaluate_gate(RUN_DATE, None, None, None)
    assert outcome.failures == [
        "reconciliation: no result (did the reconcile task run?)",
        "dbt: no run_results (did the dbt task group run and write run_results.json?)",
        "gx: no result (did the GX task run?)",
    ]
    no_gx_checks = {"run_date": RUN_DATE, "success": True, "checks": []}
    empty = evaluate_gate(RUN_DATE, {"checks": []}, {"models": [], "tests": []}, no_gx_checks)
    assert len(empty.failures) == 3 and not empty.passed
    malformed = evaluate_gate(RUN_DATE, None, None, {"checks": [{"suite": "s"}]})
    assert malformed.failures[-1].startswith("gx: not a GX result (")


def test_xcom_json_forms_and_the_provider_operator_result_are_accepted() -> None:
    recon = json.loads(json.dumps(asdict(reconcile(manifest(), 0.1, raise_on_failure=False))))
    dbt = json.loads(json.dumps(parse_run_results([run_results()]).to_dict()))
    described = {
        "success": False,
        "statistics": {},
        "validation_results": [
            {
                "success": False,
                "expectations": [
                    {"expectation_type": "expect_column_mean_to_be_between", "success": False,
                     "kwargs": {"column": "order_total"}, "result": {"observed_value": 9000.0}},
                    {"expectation_type": "expect_table_row_count_to_be_between", "success": True,
                     "kwargs": {}, "result": {"observed_value": 5}},
                ],
            }
        ],
    }  # fmt: skip
    outcome = evaluate_gate(RUN_DATE, recon, dbt, described)
    assert outcome.failures == [
        "gx validation_0.expect_column_mean_to_be_between(order_total): observed 9000.0"
    ]
    assert outcome.passed_checks == {"reconciliation": 4, "dbt": 2, "gx": 1}


@pytest.fixture
def isolated(settings: Settings, aws_endpoint: str) -> Iterator[Settings]:
    """Own bucket and topics, so the gate's reads and alerts are this test's alone."""
    suffix = uuid.uuid4().hex[:8]
    own = replace(
        settings,
        buckets=replace(settings.buckets, artifacts=f"gate-test-{suffix}"),
        cloudwatch=CloudWatch(namespace=f"Test/gate-{suffix}"),
        sns=Sns(alerts_topic=f"gate-alerts-{suffix}", notifications_topic=f"gate-notes-{suffix}"),
    )
    s3 = boto3.client("s3", endpoint_url=aws_endpoint, region_name=settings.aws_region)
    sns = boto3.client("sns", endpoint_url=aws_endpoint, region_name=settings.aws_region)
    s3.create_bucket(
        Bucket=own.buckets.artifacts, CreateBucketConfiguration={"LocationConstraint": settings.aws_region}
    )
    topics = [sns.create_topic(Name=name)["TopicArn"] for name in vars(own.sns).values()]
    yield own
    for obj in s3.list_objects_v2(Bucket=own.buckets.artifacts).get("Contents", []):
        s3.delete_object(Bucket=own.buckets.artifacts, Key=obj["Key"])
    s3.delete_bucket(Bucket=own.buckets.artifacts)
    for arn in topics:
        sns.delete_topic(TopicArn=arn)


def test_run_quality_gate_reads_files_and_s3_then_alerts_in_full(
    isolated: Settings, aws_endpoint: str, tmp_path: Path
) -> None:
    s3 = boto3.client("s3", endpoint_url=aws_endpoint, region_name=isolated.aws_region)
    s3.put_object(
        Bucket=isolated.buckets.artifacts,
        Key=f"gx/validations/{RUN_DATE}/summary.json",
        Body=json.dumps(gx(success=False).to_dict()),
    )
    results_file = tmp_path / "run_results.json"
    results_file.write_text(json.dumps(run_results("fail")))
    recon = reconcile(manifest(), 0.1, raise_on_failure=False)
    with TopicCapture(isolated, isolated.alerts_topic_arn) as alerts:
        with pytest.raises(QualityGateError, match="2 of 8 checks failed") as info:
            run_quality_gate(RUN_DATE, recon, [results_file], settings=isolated)
        received = alerts.wait_for(1)
    assert len(received) == 1
    assert received[0].subject == f"[PAGE] [local] quality gate failed for {RUN_DATE}"
    assert received[0].message.startswith("Severity: PAGE\n")
    assert received[0].message.endswith(f"\n\n{info.value}")

    results_file.write_text(json.dumps(run_results("pass")))
    s3.put_object(
        Bucket=isolated.buckets.artifacts,
        Key=f"gx/validations/{RUN_DATE}/summary.json",
        Body=json.dumps(gx(success=True).to_dict()),
    )
    assert run_quality_gate(RUN_DATE, recon, [results_file], settings=isolated)["passed"] is True
    cloudwatch = boto3.client("cloudwatch", endpoint_url=aws_endpoint, region_name=isolated.aws_region)
    points = cloudwatch.get_metric_statistics(
        Namespace=isolated.cloudwatch.namespace,
        MetricName="QualityGatePassed",
        StartTime=datetime.now(UTC) - timedelta(hours=1),
        EndTime=datetime.now(UTC) + timedelta(hours=1),
        Period=7200,
        Statistics=["Minimum", "Maximum", "SampleCount"],
    )["Datapoints"]
    assert [(p["Minimum"], p["Maximum"], p["SampleCount"]) for p in points] == [(0.0, 1.0, 2.0)]


def test_a_missing_or_stale_gx_result_is_a_failed_check_not_a_crash(
    isolated: Settings, aws_endpoint: str, tmp_path: Path
) -> None:
    """When GX did not run this time (its upstream failed), the gate still names every check."""
    from datetime import UTC, datetime, timedelta

    results_file = tmp_path / "run_results.json"
    results_file.write_text(json.dumps(run_results("pass")))
    recon = reconcile(manifest(), 0.1, raise_on_failure=False)
    with pytest.raises(QualityGateError, match=r"gx: no result"):
        run_quality_gate(RUN_DATE, recon, [results_file], settings=isolated, alert=False)

    s3 = boto3.client("s3", endpoint_url=aws_endpoint, region_name=isolated.aws_region)
    s3.put_object(
        Bucket=isolated.buckets.artifacts,
        Key=f"gx/validations/{RUN_DATE}/summary.json",
        Body=json.dumps(gx(success=True).to_dict()),
    )
    later = datetime.now(UTC) + timedelta(minutes=5)
    with pytest.raises(QualityGateError, match=r"gx: no result"):
        run_quality_gate(RUN_DATE, recon, [results_file], settings=isolated, alert=False, gx_not_before=later)
    earlier = datetime.now(UTC) - timedelta(minutes=5)
    assert run_quality_gate(RUN_DATE, recon, [results_file], settings=isolated, gx_not_before=earlier)[
        "passed"
    ]


def test_with_sns_down_the_gate_still_fails_with_its_verdict_and_logs_the_unsent_page(
    isolated: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    for name, value in with_services_down(dict(os.environ), "sns").items():
        monkeypatch.setenv(name, value)
    results_file = tmp_path / "run_results.json"
    results_file.write_text(json.dumps(run_results("fail")))
    recon = reconcile(manifest(), 0.1, raise_on_failure=False)
    with caplog.at_level(logging.ERROR), pytest.raises(QualityGateError, match="checks failed") as info:
        run_quality_gate(RUN_DATE, recon, [results_file], settings=isolated, gx=gx(success=True))
    logged = [r.getMessage() for r in caplog.records]
    assert any(
        line.startswith(f"SNS publish to {isolated.alerts_topic_arn} failed") and "Could not connect" in line
        for line in logged
    ), logged
    assert f'unsent SNS subject: "[PAGE] [local] quality gate failed for {RUN_DATE}"' in logged
    message = next(line for line in logged if line.startswith("unsent SNS message: "))
    assert json.loads(message.removeprefix("unsent SNS message: ")).endswith(f"\n\n{info.value}")
