"""Fixtures for the deploy tool's tests: fresh emulator buckets, a stubbed MWAA, a small checkout.

moto 5.2.5 has no MWAA, so every MWAA call is botocore's Stubber with responses shaped as the real
API returns them. S3 (the versioned DAG bucket, the scripts bucket and the deployment log) is the
real moto server. Each test creates its own buckets and environment name, so tests never share
emulator state.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from tests.unit.tooling.deploy.test_bundle import make_repo
from tooling.deploy.types import Target

REGION = "ca-central-1"


@pytest.fixture
def s3(aws_endpoint: str) -> Any:
    return boto3.client("s3", region_name=REGION, endpoint_url=aws_endpoint)


@pytest.fixture
def target(s3: Any) -> Target:
    """Fresh buckets for this test: a versioned MWAA bucket, the scripts and the artifacts bucket."""
    name = f"t{uuid.uuid4().hex[:10]}"
    target = Target(
        environment="staging",
        region=REGION,
        mwaa_environment=f"{name}-mwaa-env",
        dags_bucket=f"{name}-mwaa",
        artifacts_bucket=f"{name}-artifacts",
        scripts_bucket=f"{name}-scripts",
        notifications_topic_arn=f"arn:aws:sns:{REGION}:123456789012:{name}",
    )
    for bucket in (target.dags_bucket, target.artifacts_bucket, target.scripts_bucket):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_versioning(Bucket=target.dags_bucket, VersioningConfiguration={"Status": "Enabled"})
    return target


@pytest.fixture
def mwaa() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("mwaa", region_name=REGION)
    with Stubber(client) as stubber:
        yield client, stubber


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")
