"""Tags: every taggable resource carries Environment, Team and CostCenter, from the tfvars."""

from __future__ import annotations

import pytest

from tests.infra.conftest import module_resources
from tooling.terraform.files import ENVIRONMENTS, TERRAFORM, labelled, parse_dir, parse_file
from tooling.terraform.modules import root

TAGS = {"Environment", "Team", "CostCenter"}

# Resource types the AWS provider (6.x) gives no tags argument; every other type must be tagged.
# A new type must be added to one set or the other, so nothing is tagged (or skipped) by accident.
NOT_TAGGABLE = {
    "aws_cloudwatch_dashboard",
    "aws_cloudwatch_event_target",
    "aws_glue_data_catalog_encryption_settings",
    "aws_glue_security_configuration",
    "aws_iam_role_policy",
    "aws_kms_alias",
    "aws_lakeformation_data_lake_settings",
    "aws_lambda_permission",
    "aws_lakeformation_permissions",
    "aws_lakeformation_resource",
    "aws_redshift_logging",
    "aws_redshiftdata_statement",
    "aws_secretsmanager_secret_version",
    "aws_s3_bucket_lifecycle_configuration",
    "aws_s3_bucket_logging",
    "aws_s3_bucket_notification",
    "aws_s3_bucket_ownership_controls",
    "aws_s3_bucket_policy",
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_versioning",
    "aws_sns_topic_policy",
    "aws_sns_topic_subscription",
}
TAGGABLE = {
    "aws_cloudwatch_event_rule",
    "aws_cloudwatch_log_group",
    "aws_cloudwatch_metric_alarm",
    "aws_glue_catalog_database",
    "aws_glue_crawler",
    "aws_glue_job",
    "aws_iam_openid_connect_provider",
    "aws_iam_role",
    "aws_kms_key",
    "aws_lambda_function",
    "aws_mwaa_environment",
    "aws_redshift_cluster",
    "aws_redshift_parameter_group",
    "aws_redshift_subnet_group",
    "aws_redshiftserverless_namespace",
    "aws_redshiftserverless_workgroup",
    "aws_s3_bucket",
    "aws_secretsmanager_secret",
    "aws_sns_topic",
}


def test_provider_default_tags_carry_the_three_tags() -> None:
    versions = parse_file(TERRAFORM / "envs" / "dev" / "versions.tf")
    provider = versions["provider"][0]['"aws"']
    assert provider["default_tags"][0]["tags"] == "${local.tags}"
    for env in ENVIRONMENTS:
        tags = root(env).local["tags"]
        assert set(tags) >= TAGS and all(tags[k] for k in TAGS), f"envs/{env} local.tags: {tags}"
        assert tags["Environment"] == env


def test_every_module_call_passes_the_tags() -> None:
    calls = labelled(parse_dir(TERRAFORM / "envs" / "dev"), "module")
    for name, body in calls.items():
        assert body.get("tags") == "${local.tags}", f"module {name} must get tags = local.tags"


def test_every_taggable_resource_is_tagged_explicitly() -> None:
    for module, rtype, name, body in module_resources():
        where = f"{module.name}: {rtype}.{name}"
        assert rtype in TAGGABLE | NOT_TAGGABLE, f"{where}: add {rtype} to TAGGABLE or NOT_TAGGABLE"
        if rtype in TAGGABLE:
            assert "var.tags" in str(body.get("tags", "")), f"{where} needs tags = var.tags"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_tags_evaluate_on_job_and_buckets(env: str) -> None:
    modules = root(env).scope.roots["module"]
    for _, bucket in modules["data_lake"].module.instances("aws_s3_bucket", "this"):
        assert set(bucket["tags"]) >= TAGS
    [(_, job)] = modules["glue"].module.instances("aws_glue_job", "orders_transform")
    assert {k: job["tags"][k] for k in TAGS} == {k: root(env).local["tags"][k] for k in TAGS}
