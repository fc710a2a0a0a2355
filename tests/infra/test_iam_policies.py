"""The IAM roles allow exactly the AWS calls the code makes, on the resources it makes them on.

The calls are read from the code itself (the AST of the deploy tool and of the metrics module), so a
new boto3 call without a grant fails here rather than with AccessDenied in AWS. Each policy document
is evaluated per environment with the names from the settings; the account ID, known only at apply,
is the one in the settings' topic ARN. Matching follows IAM: `*` and `?` wildcards in actions
(case-insensitive) and resources; a statement with a condition counts only where the test checks it.
"""

from __future__ import annotations

import ast
import fnmatch
from pathlib import Path
from typing import Any

import pytest

from include.dataops.settings import REPO_ROOT, load_settings
from tooling.terraform.errors import Unevaluable
from tooling.terraform.files import ENVIRONMENTS, blocks
from tooling.terraform.modules import root

DEPLOY_TOOL = sorted((REPO_ROOT / "tooling" / "deploy").glob("*.py"))
METRICS = REPO_ROOT / "include" / "dataops" / "observability" / "metrics.py"
UNKNOWN = "<known only at apply>"

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


def statements(env: str, module: str, document: str) -> list[dict[str, Any]]:
    """The document's statements evaluated; a resource known only at apply (a key ARN) matches nothing."""
    settings = load_settings(env)
    instance = root(env).scope.roots["module"][module].module
    account = settings.notifications_topic_arn.split(":")[4]
    instance.scope.roots["data"] = {"aws_caller_identity": {"current": {"account_id": account}}}
    body = next(
        b for t, n, b in blocks(instance.doc, "data") if (t, n) == ("aws_iam_policy_document", document)
    )

    def resources(value: str | list[str]) -> list[str]:
        if isinstance(value, list):  # a list literal: each item on its own
            return [item for part in value for item in resources(part)]
        try:
            known = instance.scope.eval(value)
        except Unevaluable:
            return [UNKNOWN]
        return known if isinstance(known, list) else [known]

    evaluated = []
    for statement in body["statement"]:
        known = {k: v for k, v in statement.items() if k != "resources"}
        evaluated.append(
            {**instance.scope.eval(known), "resources": resources(statement.get("resources", []))}
        )
    return evaluated


def allowing(policy: list[dict[str, Any]], action: str, resource: str) -> list[dict[str, Any]]:
    """The Allow statements that grant `action` on `resource`."""
    return [
        s
        for s in policy
        if s.get("effect", "Allow") == "Allow"
        and any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in s.get("actions", []))
        and any(fnmatch.fnmatchcase(resource, r) for r in s.get("resources", []))
    ]


def unconditional(policy: list[dict[str, Any]], action: str, resource: str) -> bool:
    return any("condition" not in s for s in allowing(policy, action, resource))


def test_the_code_scan_finds_the_calls_it_must_cover():
    """A scan that found nothing would pass every test below."""
    assert calls_on(DEPLOY_TOOL, {"s3"}) >= {"put_object", "list_object_versions", "copy_object"}
    assert calls_on(DEPLOY_TOOL, {"mwaa"}) == set(MWAA_OPERATIONS)
    assert sns_publishes(DEPLOY_TOOL) == 1
    assert calls_on([METRICS], {"client"}) == {"put_metric_data"}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_deploy_role_allows_every_s3_call_of_the_deploy_tool_on_its_buckets(env):
    settings = load_settings(env)
    policy = statements(env, "iam", "deploy")
    buckets = (settings.buckets.mwaa, settings.buckets.artifacts, settings.buckets.scripts)
    operations = calls_on(DEPLOY_TOOL, {"s3"})

    assert operations <= set(S3_OPERATIONS), f"map {operations - set(S3_OPERATIONS)} to IAM actions above"
    missing = [
        (action, bucket)
        for operation in operations
        for action in S3_OPERATIONS[operation][0]
        for bucket in buckets
        if not unconditional(
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
    policy = statements(env, "iam", "deploy")
    granted = {a for s in policy for a in s["actions"] if a.startswith("airflow:")}

    assert granted == set(MWAA_OPERATIONS.values()) | TERRAFORM_MWAA_ACTIONS
    for action in granted - {"airflow:InvokeRestApi"}:
        assert unconditional(policy, action, environment), action
    [rest_api] = allowing(policy, "airflow:InvokeRestApi", as_user)
    assert rest_api["resources"] == [as_user]
    for stronger in ("Admin", "Op"):
        assert not allowing(policy, "airflow:InvokeRestApi", as_user.replace("/User", f"/{stronger}"))
    other = f"arn:aws:airflow:{region}:{account}:environment/someone-elses"
    assert not any(allowing(policy, action, other) for action in granted)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_deploy_role_may_publish_the_deployment_notification(env):
    settings = load_settings(env)

    assert unconditional(statements(env, "iam", "deploy"), "sns:Publish", settings.notifications_topic_arn)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_execution_role_allows_every_cloudwatch_call_of_the_report_step(env):
    namespace = load_settings(env).cloudwatch.namespace
    policy = statements(env, "mwaa", "execution")
    granted = {a for s in policy for a in s["actions"] if a.startswith("cloudwatch:")}

    # The dbt timing history is read from S3 (dbt_timing.py), so no metric is read back.
    assert granted == {"cloudwatch:PutMetricData"}
    [put] = allowing(policy, "cloudwatch:PutMetricData", "*")
    [condition] = put["condition"]
    assert (condition["test"], condition["variable"]) == ("StringEquals", "cloudwatch:namespace")
    assert namespace in condition["values"]
