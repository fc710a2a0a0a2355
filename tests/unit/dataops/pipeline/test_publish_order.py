"""The artifacts bucket before the warehouse: one that does not answer fails prepare_audit before
dbt builds, one that refuses writes fails publish before the swap, so the consumer schema never
holds a day its marker does not record. A real DuckDB file and the emulator's S3; the marts are
the real dbt manifest's."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import boto3
import duckdb
import pytest

from include.dataops.airflow.cosmos import DBT_MANIFEST
from include.dataops.pipeline import audit, orders
from include.dataops.pipeline.artifacts import ArtifactsError
from include.dataops.pipeline.publish import prepare_audit
from include.dataops.settings import Settings

DAY, RUN_ID, AUDIT = "2026-11-23", "manual__order_test", "audit_order_test"
CONSUMER = "analytics"


@pytest.fixture
def own_bucket(settings: Settings, aws_endpoint: str) -> Iterator[Settings]:
    own = replace(
        settings, buckets=replace(settings.buckets, artifacts=f"publish-order-{uuid.uuid4().hex[:8]}")
    )
    s3 = boto3.client("s3", endpoint_url=aws_endpoint, region_name=settings.aws_region)
    location = {"LocationConstraint": settings.aws_region}
    s3.create_bucket(Bucket=own.buckets.artifacts, CreateBucketConfiguration=location)
    yield own
    for obj in s3.list_objects_v2(Bucket=own.buckets.artifacts).get("Contents", []):
        s3.delete_object(Bucket=own.buckets.artifacts, Key=obj["Key"])
    s3.delete_bucket(Bucket=own.buckets.artifacts)


def _consumer(path: Path, marts: tuple[str, ...]) -> dict[str, list[tuple]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {m: con.execute(f"select * from {CONSUMER}.{m}").fetchall() for m in marts}


def test_an_unavailable_artifacts_bucket_fails_prepare_audit_and_publish_before_the_swap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, own_bucket: Settings, aws_endpoint: str
) -> None:
    path = tmp_path / "wh.duckdb"
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", json.dumps({"conn_type": "duckdb", "host": str(path)}))
    marts = audit.Marts.from_manifest(DBT_MANIFEST).names
    with duckdb.connect(str(path)) as con:
        con.execute(f"create schema {CONSUMER}")
        for mart in marts:
            con.execute(f"create table {CONSUMER}.{mart} as select 1 as version")
    gone = replace(
        own_bucket, buckets=replace(own_bucket.buckets, artifacts=f"{own_bucket.buckets.artifacts}-gone")
    )
    # Before dbt builds: the gate reads dbt's results from that bucket.
    with pytest.raises(ArtifactsError, match=rf"{gone.buckets.artifacts} cannot be listed \(NoSuchBucket\)"):
        prepare_audit(gone, AUDIT, RUN_ID, DBT_MANIFEST, full_refresh=True)
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute(audit.audit_schemas_sql()).fetchall() == []
    prepare_audit(own_bucket, AUDIT, RUN_ID, DBT_MANIFEST, full_refresh=True)
    with duckdb.connect(str(path)) as con:
        for mart in marts:
            con.execute(f"create or replace table {AUDIT}.{mart} as select 2 as version")
    run = {"run_date": DAY, "audit_schema": AUDIT}

    with pytest.raises(
        ArtifactsError, match=rf"artifacts bucket {gone.buckets.artifacts} refused .*NoSuchBucket"
    ):
        orders.publish(gone, run, {"passed": True}, RUN_ID)
    assert _consumer(path, marts) == {m: [(1,)] for m in marts}
    # Nothing half-done: the audit schema is still there, so clearing publish finishes the job.
    marker = orders.publish(own_bucket, run, {"passed": True}, RUN_ID)
    assert _consumer(path, marts) == {m: [(2,)] for m in marts}
    s3 = boto3.client("s3", endpoint_url=aws_endpoint, region_name=own_bucket.aws_region)
    key = marker.removeprefix(f"s3://{own_bucket.buckets.artifacts}/")
    body = json.loads(s3.get_object(Bucket=own_bucket.buckets.artifacts, Key=key)["Body"].read())
    assert (body["run_id"], body["marts"]) == (RUN_ID, list(marts))
