"""The marts checkpoint run for real: GX on sample DuckDB marts and lake, results in moto's S3."""

from __future__ import annotations

import json
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import boto3
import pytest

from include.dataops.gx.checks import GxCheckError, GxResult, load_gx_result, validate_marts
from include.dataops.gx.suites import SUITE_NAMES
from include.dataops.settings import Settings
from tooling.local.gx_sample import build_sample, sample_conn_id, sample_connection_uri

pytestmark = pytest.mark.integration

RUN_DATE = "2031-01-15"


@pytest.fixture(scope="module")
def artifacts_bucket(aws_endpoint: str, settings: Settings) -> Iterator[str]:
    """A bucket of this module's own, so parallel runs never read each other's results."""
    name = f"gx-test-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client("s3", endpoint_url=aws_endpoint, region_name=settings.aws_region)
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": settings.aws_region})
    yield name
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
        for obj in page.get("Contents", []):
            s3.delete_object(Bucket=name, Key=obj["Key"])
    s3.delete_bucket(Bucket=name)


def sample_settings(
    root: Path,
    scenario: str,
    settings: Settings,
    bucket: str,
    monkeypatch: pytest.MonkeyPatch,
    run_date: str = RUN_DATE,
) -> Settings:
    sample = build_sample(root, run_date, settings, scenario=scenario)
    monkeypatch.setenv(f"AIRFLOW_CONN_{sample_conn_id(root).upper()}", sample_connection_uri(root))
    return replace(sample, buckets=replace(sample.buckets, artifacts=bucket))


@pytest.fixture(scope="module")
def violations(
    tmp_path_factory: pytest.TempPathFactory, settings: Settings, artifacts_bucket: str
) -> Iterator[tuple[GxResult, Settings]]:
    root = tmp_path_factory.mktemp("gx-violations")
    with pytest.MonkeyPatch.context() as monkeypatch:
        sample = sample_settings(root, "violations", settings, artifacts_bucket, monkeypatch)
        yield validate_marts(RUN_DATE, sample, docs_dir=root / "docs"), sample


def test_every_broken_rule_fails_by_name_and_the_rest_pass(violations: tuple[GxResult, Settings]) -> None:
    result, _ = violations
    assert result.success is False
    failed = {(c.suite, c.check) for c in result.checks if not c.success}
    assert failed == {
        ("orders_daily_volume", "orders_daily.order_count_within_history"),
        ("orders_distribution", "orders.row_count_within_history"),
        ("orders_distribution", "orders.order_total_mean"),
        ("orders_distribution", "orders.large_order_share"),
        ("quarantine_records", "quarantine.reason_known"),
        ("curated_customers", "customers.email_format"),
        ("curated_customers", "customers.country_code"),
    }
    lines = "\n".join(result.failed_checks())
    for evidence in ("600", "cosmic_rays", "not-an-email", "Canada", "7-day median 200"):
        assert evidence in lines
    assert {c.suite for c in result.checks} == set(SUITE_NAMES)


def test_results_summary_and_docs_are_published(
    violations: tuple[GxResult, Settings], aws_endpoint: str
) -> None:
    result, sample = violations
    bucket = sample.buckets.artifacts
    s3 = boto3.client("s3", endpoint_url=aws_endpoint, region_name=sample.aws_region)
    for suite in SUITE_NAMES:
        key = f"gx/validations/{RUN_DATE}/{suite}.json"
        assert result.result_uris[suite] == f"s3://{bucket}/{key}"
        body = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        assert body["suite_name"] == suite
    index = s3.get_object(Bucket=bucket, Key="gx/data_docs/index.html")
    assert index["ContentType"] == "text/html"
    assert "orders_daily_volume" in index["Body"].read().decode()
    assert result.docs_uri == f"s3://{bucket}/gx/data_docs/index.html"
    assert Path(result.docs_local).is_file()
    assert not list(Path(tempfile.gettempdir()).glob(f"dataops-gx-{RUN_DATE}-*")), "frames left behind"
    assert load_gx_result(RUN_DATE, sample) == result


def test_load_gx_result_names_the_missing_run(violations: tuple[GxResult, Settings]) -> None:
    _, sample = violations
    with pytest.raises(
        GxCheckError, match=r"no GX result at s3://.*/2031-01-16/summary.json: run the GX task"
    ):
        load_gx_result("2031-01-16", sample)


class _RecordingTaskInstance:
    """Stands in for the running task: what resolve_run_date left, and what the operator pushes."""

    def __init__(self, run_date: str) -> None:
        self.run_date = run_date
        self.xcom: dict[str, object] = {}

    def xcom_pull(self, task_ids: str) -> dict[str, str] | None:
        return {"run_date": self.run_date} if task_ids == "resolve_run_date" else None

    def xcom_push(self, key: str, value: object) -> None:
        self.xcom[key] = value


@pytest.mark.e2e
def test_clean_sample_passes_through_the_provider_operator(
    tmp_path: Path, settings: Settings, artifacts_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The operator the DAG gets, executed with a task context (the DAG run itself is the lead's e2e)."""
    from airflow.sdk.execution_time.context import set_current_context
    from great_expectations_provider.operators.validate_checkpoint import GXValidateCheckpointOperator

    from include.dataops.gx.checks import gx_validate_marts_task

    sample = sample_settings(tmp_path, "clean", settings, artifacts_bucket, monkeypatch, "2031-01-14")
    monkeypatch.setattr("include.dataops.gx.checks.default_docs_dir", lambda _s: tmp_path / "docs")
    operator = gx_validate_marts_task(sample)
    assert isinstance(operator, GXValidateCheckpointOperator)
    ti = _RecordingTaskInstance("2031-01-14")
    context = {"params": {}, "ti": ti}
    with set_current_context(context):  # type: ignore[arg-type]
        operator.execute(context)  # type: ignore[arg-type]
    described = ti.xcom["return_value"]
    assert described["success"] is True  # type: ignore[index]
    published = load_gx_result("2031-01-14", sample)
    assert published.success is True
    assert published.counts()["checks_passed"] == published.counts()["checks_total"] > 10
