"""The IAM roles allow the AWS calls the code makes, on the resources it makes them on, and no more.

Per cloud environment, before any deploy: the calls are read from the code itself (the AST of the
deploy tool and of the metrics module), and each policy is rendered from the .tf files and decided
by the same evaluator as the local IAM check (tooling/local/iam_policy.py), conditions included.
At run time the end-to-end suite enforces the same policies on every call (tooling/local/iam.py).
Least privilege: every granted action is credited to a code path or listed with its reason
(tooling/local/iam_grants.py), and nothing is listed that is not granted.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from include.dataops.settings import REPO_ROOT, load_settings
from tooling.local import iam_grants, iam_policy
from tooling.terraform.files import ENVIRONMENTS

DEPLOY_TOOL = sorted((REPO_ROOT / "tooling" / "deploy").glob("*.py"))
METRICS = REPO_ROOT / "include" / "dataops" / "observability" / "metrics.py"

# boto3 operation -> the IAM actions it needs and whether they act on the bucket or its objects.
S3_OPERATIONS = {
    "head_bucket": (["s3:ListBucket"], "bucket"),
    "get_bucket_versioning": (["s3:GetBucketVersioning"], "bucket"),
    "list_objects_v2": (["s3:ListBucket"], "bucket"),
    "list_object_versions": (["s3:ListBucketVersions"], "bucket"),
    "head_object": (["s3:GetObject", "s3:GetObjectVersion"], "object"),
    "get_object": (["s3:GetObject"], "object"),
    "put_object": (["s3:PutObject"], "object"),
    "copy_object": (["s3:GetObjectVersion", "s3:PutObject"], "object"),
    "delete_object": (["s3:DeleteObject"], "object"),
}
MWAA_OPERATIONS = {
    "get_environment": "airflow:GetEnvironment",
    "update_environment": "airflow:UpdateEnvironment",
    "invoke_rest_api": "airflow:InvokeRestApi",
}
# What Terraform needs to manage the environment, on top of the deploy tool's calls.
TERRAFORM_MWAA_ACTIONS = {
    "airflow:CreateEnvironment",
    "airflow:DeleteEnvironment",
    "airflow:ListTagsForResource",
    "airflow:TagResource",
    "airflow:UntagResource",
}


def calls_on(paths: list[Path], receivers: set[str]) -> set[str]:
    """Methods called on `client`-like names (`s3.x()`, `self.s3.x()`), paginators by their operation."""
    found = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            receiver = node.func.value
            name = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", None)
            if name not in receivers:
                continue
            if node.func.attr == "get_paginator":
                found.add(node.args[0].value)  # type: ignore[attr-defined]
            else:
                found.add(node.func.attr)
    return found


def sns_publishes(paths: list[Path]) -> int:
    """SNS `publish(...)` calls: on `boto3.client("sns", ...)` directly, or on a client named `sns`."""
    count = 0
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "publish"
            ):
                inner = node.func.value
                if (isinstance(inner, ast.Name) and inner.id == "sns") or (
                    isinstance(inner, ast.Call)
                    and inner.args
                    and getattr(inner.args[0], "value", None) == "sns"
                ):
                    count += 1
    return count


def allows(policy: dict[str, Any], action: str, resource: str, context: dict[str, Any] | None = None) -> bool:
    return iam_policy.decide(policy, action, resource, context or {}).allowed


def test_the_code_scan_finds_the_calls_it_must_cover():
    """A scan that found nothing would pass every test below."""
    assert calls_on(DEPLOY_TOOL, {"s3"}) >= {"put_object", "list_object_versions", "copy_object"}
    assert calls_on(DEPLOY_TOOL, {"mwaa"}) == set(MWAA_OPERATIONS)
    assert sns_publishes(DEPLOY_TOOL) == 1
    assert calls_on([METRICS], {"client"}) == {"put_metric_data"}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_deploy_role_allows_every_s3_call_of_the_deploy_tool_on_its_buckets(env):
    settings = load_settings(env)
    policy = iam_policy.document("deploy", env)
    buckets = (settings.buckets.mwaa, settings.buckets.artifacts, settings.buckets.scripts)
    operations = calls_on(DEPLOY_TOOL, {"s3"})

    assert operations <= set(S3_OPERATIONS), f"map {operations - set(S3_OPERATIONS)} to IAM actions above"
    missing = [
        (action, bucket)
        for operation in operations
        for action in S3_OPERATIONS[operation][0]
        for bucket in buckets
        if not allows(
            policy,
            action,
            f"arn:aws:s3:::{bucket}"
            + ("/deployments/x.json" if S3_OPERATIONS[operation][1] == "object" else ""),
        )
    ]
    assert missing == []


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_deploy_role_may_drive_its_mwaa_environment_and_nothing_more(env):
    settings = load_settings(env)
    region, account = settings.aws_region, settings.notifications_topic_arn.split(":")[4]
    environment = f"arn:aws:airflow:{region}:{account}:environment/{settings.mwaa.environment}"
    as_user = f"arn:aws:airflow:{region}:{account}:role/{settings.mwaa.environment}/User"
    policy = iam_policy.document("deploy", env)
    granted = {a for a in iam_policy.granted_actions(policy) if a.startswith("airflow:")}

    assert granted == set(MWAA_OPERATIONS.values()) | TERRAFORM_MWAA_ACTIONS
    for action in granted - {"airflow:InvokeRestApi"}:
        assert allows(policy, action, environment), action
    # MWAA authorizes InvokeRestApi on the Airflow role the call runs as, not on the environment.
    assert allows(policy, "airflow:InvokeRestApi", as_user)
    assert not allows(policy, "airflow:InvokeRestApi", environment)
    for stronger in ("Admin", "Op"):
        assert not allows(policy, "airflow:InvokeRestApi", as_user.replace("/User", f"/{stronger}"))
    other = f"arn:aws:airflow:{region}:{account}:environment/someone-elses"
    assert not any(allows(policy, action, other) for action in granted)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_deploy_role_may_publish_the_deployment_notification(env):
    settings = load_settings(env)

    assert allows(iam_policy.document("deploy", env), "sns:Publish", settings.notifications_topic_arn)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_execution_role_may_publish_to_both_topics_and_no_other(env):
    """The topic ARNs are rendered from the names, so the grant is checkable before any apply."""
    settings = load_settings(env)
    policy = iam_policy.document("mwaa_execution", env)

    for topic in (settings.alerts_topic_arn, settings.notifications_topic_arn):
        assert allows(policy, "sns:Publish", topic), topic
    assert not allows(policy, "sns:Publish", settings.alerts_topic_arn.replace(env, "someone-elses"))


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_execution_role_allows_every_cloudwatch_call_of_the_report_step(env):
    namespace = load_settings(env).cloudwatch.namespace
    policy = iam_policy.document("mwaa_execution", env)
    granted = {a for a in iam_policy.granted_actions(policy) if a.startswith("cloudwatch:")}

    # The report step reads no metric back (the dbt timing history is in S3, dbt_timing.py), so
    # GetMetricStatistics is neither called nor granted.
    assert granted == {"cloudwatch:PutMetricData"}
    assert allows(policy, "cloudwatch:PutMetricData", "*", {"cloudwatch:namespace": namespace})
    assert not allows(policy, "cloudwatch:PutMetricData", "*", {"cloudwatch:namespace": "Elsewhere"})


@pytest.mark.parametrize("env", ENVIRONMENTS)
@pytest.mark.parametrize("role", sorted(iam_policy.ROLES))
def test_every_granted_action_is_called_by_code_or_listed_with_its_reason(env, role):
    granted = iam_policy.granted_actions(iam_policy.document(role, env))
    called, listed = iam_grants.CALLED[role], iam_grants.NOT_CALLED[role]

    assert sorted(granted - set(called) - set(listed)) == [], "unexplained: grant less or say why"
    assert sorted((set(called) | set(listed)) - granted) == [], "stale entries in tooling/local/iam_grants.py"
    assert set(called).isdisjoint(listed)
    assert all(reason.strip() for reason in {**called, **listed}.values())
