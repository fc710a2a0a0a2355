"""The health report page, built from a recorded history and kept in the moto server's S3."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import replace

import boto3
import pytest

from include.dataops.observability.metric_definitions import BY_NAME, RUN_METRICS
from include.dataops.observability.notify import build_run_summary
from include.dataops.observability.report import store as report
from include.dataops.observability.report.page import build_page, metric_series, model_regressions
from include.dataops.observability.run_record import build_record
from include.dataops.settings import Buckets, Settings, load_settings

DAYS = ["2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23"]
# orders takes 40 s a night until the last, when it takes 200 s: a regression.
ORDERS_SECONDS = [40.0, 42.0, 41.0, 200.0]


def run(day: str, orders_seconds: float, gate_passed: bool = True) -> dict:
    manifest = {
        "datasets": {
            "orders": {
                "read": 1000,
                "written": 950,
                "deduplicated": 10,
                "quarantined_total": 40,
                "quarantined": {"bad_total": 30, "missing_customer": 10},
            }
        }
    }
    gate = {"passed": gate_passed, "checks_passed": 12, "checks_failed": 0 if gate_passed else 2,
            "passed_by_stage": {"dbt": 8, "gx": 4}}  # fmt: skip
    summary = build_run_summary(day, "test", manifest=manifest, gate=gate, mart_rows={"orders": 950})
    stages = [
        {"stage": "glue_transform", "state": "success", "seconds": 30.5},
        {"stage": "quality_gate", "state": "success" if gate_passed else "failed", "seconds": 2.0},
    ]
    return build_record(
        summary,
        run_id=f"manual__{day}",
        stages=stages,
        model_seconds={"orders": orders_seconds, "customers": 3.0},
        freshness_hours={"orders": 5.0},
        freshness_sla_hours={"orders": 30.0},
        manifest=manifest,
    )


@pytest.fixture
def history() -> list[dict]:
    return [run(day, seconds) for day, seconds in zip(DAYS, ORDERS_SECONDS, strict=True)]


def _figures(page: str) -> list[dict]:
    """The data of every plotly chart on the page, as plotly's own to_html wrote it."""
    calls = re.findall(r'Plotly\.newPlot\(\s*"[^"]+",\s*(\[.*?\]),\s*\{', page, flags=re.S)
    return [{"data": json.loads(data)} for data in calls]


def test_the_page_draws_every_metric_definition_from_the_datums_the_pipeline_publishes(history) -> None:
    page = build_page(history, environment="test")
    for metric in RUN_METRICS:
        assert f"<h2>{metric.title}</h2>" in page
    series = metric_series(history)
    assert series["RecordsQuarantined"]["orders"] == [(day, 40.0) for day in DAYS]
    assert series["StageDuration"]["glue_transform"][-1] == (DAYS[-1], 30.5)
    assert series["QualityGatePassed"][""] == [(day, 1.0) for day in DAYS]
    figures = _figures(page)
    # stage status, one per definition, quarantine by reason, gate verdicts
    assert len(figures) == 1 + len(RUN_METRICS) + 2
    assert all(any(trace.get("x") or trace.get("z") for trace in f["data"]) for f in figures)


def test_the_page_needs_no_network(history) -> None:
    page = build_page(history, environment="test")
    assert "<script src" not in page and "<link" not in page
    assert "Plotly.newPlot" in page and len(page) > 3_000_000  # plotly.js is inlined


def test_a_slow_model_is_marked_only_against_its_own_earlier_runs(history) -> None:
    rule = load_settings("local").monitoring
    assert model_regressions(history, rule) == [(DAYS[-1], "orders", 200.0)]
    assert model_regressions(history[:3], rule) == []


def test_dora_shows_a_placeholder_until_the_log_has_records_then_numbers(history) -> None:
    assert "No deployment or run events yet" in build_page(history, environment="test")
    dora = {"window_days": 30, "deployments": 4, "change_failure_rate": 0.25}
    page = build_page(history, environment="test", dora=dora)
    assert "monitoring issue" not in page and "DORA, last 30 days" in page and '"indicator"' in page
    (indicators,) = [f["data"] for f in _figures(page) if f["data"][0]["type"] == "indicator"]
    # Only the metric with a value, titled by its definition (metric_definitions.py).
    assert [(i["title"]["text"], i["value"]) for i in indicators] == [
        (BY_NAME["DoraChangeFailureRate"].title, 0.25)
    ]
    assert "4 live deploys, 0 incidents restored" in page


def test_an_empty_history_says_how_to_make_one() -> None:
    with pytest.raises(ValueError, match="make run"):
        build_page([], environment="test")


def test_records_round_trip_through_s3_and_the_page_lands_at_its_link(
    settings: Settings, aws_endpoint: str, history
) -> None:
    bucket = f"report-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client("s3", endpoint_url=aws_endpoint, region_name=settings.aws_region)
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": settings.aws_region})
    own = replace(settings, buckets=replace(settings.buckets, artifacts=bucket))
    assert isinstance(own.buckets, Buckets)
    for record in reversed(history):
        report.save_record(own, record)
    assert [r["run_date"] for r in report.load_history(own)] == DAYS
    assert [r["run_date"] for r in report.load_history(own, runs=2)] == DAYS[-2:]
    link = report.publish_report(own)
    assert link == f"s3://{bucket}/{report.REPORT_KEY}"
    page = s3.get_object(Bucket=bucket, Key=report.REPORT_KEY)["Body"].read().decode()
    assert DAYS[-1] in page and len(_figures(page)) == 1 + len(RUN_METRICS) + 2


def test_a_failed_run_is_recorded_and_shown_per_stage_beside_the_rerun_that_published(
    settings: Settings, aws_endpoint: str, history
) -> None:
    """A run that fails never reaches the report task: the failure callback records it."""
    bucket = f"report-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client("s3", endpoint_url=aws_endpoint, region_name=settings.aws_region)
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": settings.aws_region})
    own = replace(settings, buckets=replace(settings.buckets, artifacts=bucket))
    *earlier, last = history
    for record in earlier:
        report.save_record(own, record)
    link = report.record_failed_run(
        own,
        dag_id="orders_nightly",
        run_id="scheduled__failed",
        run_date=last["run_date"],
        failed_stage="quality_gate",
        seconds=4.0,
        gate_failed=True,
    )
    report.save_record(own, run(DAYS[-1], ORDERS_SECONDS[-1]))  # the day's rerun, later, publishes

    runs = report.load_history(own)
    assert [(r["run_date"], r["status"]) for r in runs[-2:]] == [
        (DAYS[-1], "failed"),
        (DAYS[-1], "published"),
    ]
    assert link == report.report_uri(own)
    page = build_page(runs, environment="test")
    (status,) = [f["data"][0] for f in _figures(page) if f["data"][0]["type"] == "heatmap"]
    assert status["x"][-2:] == [DAYS[-1], f"{DAYS[-1]} (2)"]
    gate_row = status["y"].index("quality_gate")
    assert status["z"][gate_row][-2:] == [0, 2]  # failed, then success
    assert status["text"][gate_row][-2] == "failed, 4.0 s"
