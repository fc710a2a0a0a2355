"""Sample warehouses wired into the settings and an artifacts bucket of a test module's own.

Shared by the checkpoint tests here and the operator tests in tests/unit/dataops/airflow/.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import boto3
import pytest

from include.dataops.settings import Settings
from tooling.local.gx_sample import build_sample, sample_conn_id, sample_connection_uri, stage_for_audit

AUDIT_SCHEMA = "analytics_audit_run"


@contextmanager
def scratch_bucket(endpoint: str, region: str) -> Iterator[str]:
    """A bucket nobody else writes to, so parallel runs never read each other's results."""
    name = f"gx-test-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name=region)
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    try:
        yield name
    finally:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
            for obj in page.get("Contents", []):
                s3.delete_object(Bucket=name, Key=obj["Key"])
        s3.delete_bucket(Bucket=name)


def sample_settings(
    root: Path, scenario: str, settings: Settings, bucket: str, monkeypatch: pytest.MonkeyPatch, run_date: str
) -> Settings:
    """A sample warehouse and lake under `root`, reachable as an Airflow connection of conn_type duckdb."""
    sample = build_sample(root, run_date, settings, scenario=scenario)
    monkeypatch.setenv(f"AIRFLOW_CONN_{sample_conn_id(root).upper()}", sample_connection_uri(root))
    return replace(sample, buckets=replace(sample.buckets, artifacts=bucket))


def audit_settings(
    root: Path, settings: Settings, bucket: str, monkeypatch: pytest.MonkeyPatch, run_date: str
) -> Settings:
    """A clean sample split into consumer and audit schemas (``stage_for_audit``, schema AUDIT_SCHEMA)."""
    sample = sample_settings(root, "clean", settings, bucket, monkeypatch, run_date)
    stage_for_audit(root, run_date, sample, AUDIT_SCHEMA)
    return sample
