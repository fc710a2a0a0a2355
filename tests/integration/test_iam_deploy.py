"""The deploy tool's AWS calls, made as the deploy role: moto enforces its Terraform policy on S3
and the exact check (tooling/local/iam.py) decides every call, MWAA's included.

moto has no MWAA, so its calls go to botocore's Stubber (tests/unit/tooling/deploy/stubs.py);
they are still signed with the deploy role's key, recorded and decided. The buckets are fresh
ones under the project's prefix, which the deploy role's grants cover.
"""

from __future__ import annotations

import uuid

import boto3
import pytest
from botocore.stub import Stubber

from tests.unit.tooling.deploy.stubs import first_deploy
from tests.unit.tooling.deploy.test_bundle import make_repo
from tooling.deploy.__main__ import _publish_dora
from tooling.deploy.notify import notify
from tooling.deploy.types import Target
from tooling.local import iam


@pytest.fixture
def deploy_role(monkeypatch, tmp_path):
    """boto3 clients created inside sign as the deploy role; every call lands in the log."""
    key = iam.key_of("deploy")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    # boto3.client() reuses one default session, with the credentials it first resolved.
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    log = tmp_path / "iam-calls.jsonl"
    with iam.recording_sessions(log):
        yield log


def test_a_deploy_its_notification_and_its_dora_metrics_need_only_the_deploy_roles_grants(
    settings, aws_endpoint, deploy_role, tmp_path
):
    name = f"{settings.mwaa.environment}-t{uuid.uuid4().hex[:8]}"
    target = Target(
        environment="local",
        region=settings.aws_region,
        mwaa_environment=settings.mwaa.environment,
        dags_bucket=f"{name}-mwaa",
        artifacts_bucket=f"{name}-artifacts",
        scripts_bucket=f"{name}-scripts",
        notifications_topic_arn=settings.notifications_topic_arn,
    )
    admin = boto3.client(
        "s3",
        region_name=settings.aws_region,
        aws_access_key_id=iam.key_of(iam.ADMIN)["AccessKeyId"],
        aws_secret_access_key=iam.key_of(iam.ADMIN)["SecretAccessKey"],
    )
    for bucket in (target.dags_bucket, target.artifacts_bucket, target.scripts_bucket):
        admin.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": target.region})
    admin.put_bucket_versioning(Bucket=target.dags_bucket, VersioningConfiguration={"Status": "Enabled"})

    s3 = boto3.client("s3", region_name=target.region)
    mwaa = boto3.client("mwaa", region_name=target.region)
    with Stubber(mwaa) as stubber:
        first_deploy(target, s3, (mwaa, stubber), make_repo(tmp_path / "repo"))
    notify(boto3.client("sns", region_name=target.region), target.notifications_topic_arn, "deployed", "ok")
    _publish_dora("local", target.artifacts_bucket)

    calls = iam.assert_allowed(deploy_role, setup_calls=True)  # the admin made the buckets
    made = {(c["service"], c["operation"]) for c in calls if c["status"] == 200}
    assert {
        ("s3", "PutObject"),
        ("s3", "ListObjectVersions"),
        ("mwaa", "GetEnvironment"),
        ("mwaa", "UpdateEnvironment"),
        ("mwaa", "InvokeRestApi"),
        ("sns", "Publish"),
        ("cloudwatch", "PutMetricData"),
    } <= made, made
