"""The marts checkpoint run for real: GX on sample DuckDB marts and lake, results in moto's S3."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from include.dataops.gx.checkpoint import load_gx_result, validate_marts
from include.dataops.gx.results import GxCheckError, GxResult
from include.dataops.gx.suites import SUITE_NAMES
from include.dataops.settings import Settings
from tests.unit.dataops.gx.samples import AUDIT_SCHEMA, audit_settings, sample_settings, scratch_bucket

pytestmark = pytest.mark.integration

RUN_DATE = "2031-01-15"


@pytest.fixture(scope="module")
def artifacts_bucket(aws_endpoint: str, settings: Settings) -> Iterator[str]:
    with scratch_bucket(aws_endpoint, settings.aws_region) as name:
        yield name


@pytest.fixture(scope="module")
def violations(
    tmp_path_factory: pytest.TempPathFactory, settings: Settings, artifacts_bucket: str
) -> Iterator[tuple[GxResult, Settings]]:
    root = tmp_path_factory.mktemp("gx-violations")
    with pytest.MonkeyPatch.context() as monkeypatch:
        sample = sample_settings(root, "violations", settings, artifacts_bucket, monkeypatch, RUN_DATE)
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


def test_the_audit_schema_is_validated_against_published_history(
    tmp_path: Path, settings: Settings, artifacts_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Write-audit-publish: the bad row only the audit schema holds fails the mean check; the
    tripled history only the audit schema holds leaves the baseline at the published 200 a day."""
    sample = audit_settings(tmp_path, settings, artifacts_bucket, monkeypatch, RUN_DATE)

    result = validate_marts(
        RUN_DATE,
        sample,
        marts_schema=AUDIT_SCHEMA,
        history_schema=sample.warehouse.schema,
        docs_dir=tmp_path / "docs",
        publish=False,
    )

    failed = {(c.suite, c.check) for c in result.checks if not c.success}
    assert failed == {("orders_distribution", "orders.order_total_mean")}
    volume = next(c for c in result.checks if c.check == "orders.row_count_within_history")
    assert volume.detail == "observed 201; expected 0.5x..2.0x the 7-day median 200"
