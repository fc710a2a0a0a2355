"""Structural checks of infra/terraform, in place of `terraform validate` (no binary here; CI runs it)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tooling.terraform import hcl

MODULES = sorted(p for p in (hcl.TERRAFORM / "modules").iterdir() if p.is_dir())
TF_FILES = sorted(hcl.TERRAFORM.rglob("*.tf"))
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
    "aws_sns_topic",
}


PUBLIC_ACCESS_BLOCK = (
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
)


def _module_resources() -> list[tuple[Path, str, str, dict[str, Any]]]:
    return [(m, t, n, b) for m in MODULES for t, n, b in hcl.blocks(hcl.parse_dir(m), "resource")]


@pytest.mark.parametrize("path", TF_FILES, ids=lambda p: str(p.relative_to(hcl.TERRAFORM)))
def test_every_tf_file_parses(path: Path) -> None:
    assert hcl.parse_file(path), f"{path} parsed to nothing"


def test_environment_roots_are_identical_but_for_tfvars_and_backend() -> None:
    per_env = {env: hcl.TERRAFORM / "envs" / env for env in hcl.ENVIRONMENTS}
    names = {env: sorted(p.name for p in path.iterdir() if p.is_file()) for env, path in per_env.items()}
    assert names["dev"] == names["staging"] == names["prod"], names
    assert {"terraform.tfvars", "backend.hcl", "main.tf"} <= set(names["dev"])
    for name in names["dev"]:
        if name in ("terraform.tfvars", "backend.hcl"):
            continue
        texts = {env: (path / name).read_text() for env, path in per_env.items()}
        assert texts["dev"] == texts["staging"] == texts["prod"], f"envs/*/{name} differ: keep them identical"


@pytest.mark.parametrize("env", hcl.ENVIRONMENTS)
def test_tfvars_set_every_required_variable_and_nothing_undeclared(env: str) -> None:
    variables = hcl.labelled(hcl.parse_dir(hcl.TERRAFORM / "envs" / env), "variable")
    required = {name for name, body in variables.items() if "default" not in body}
    given = set(hcl.tfvars(env))
    assert not required - given, f"envs/{env}/terraform.tfvars lacks {sorted(required - given)}"
    undeclared = sorted(given - set(variables))
    assert not undeclared, f"envs/{env}/terraform.tfvars sets undeclared {undeclared}"


@pytest.mark.parametrize("env", hcl.ENVIRONMENTS)
def test_backend_locks_and_matches_tfvars(env: str) -> None:
    backend = hcl.Scope({}).eval(hcl.parse_file(hcl.TERRAFORM / "envs" / env / "backend.hcl"))
    values = hcl.tfvars(env)
    assert backend["use_lockfile"] is True and backend["encrypt"] is True
    assert backend["bucket"] == values["state_bucket"]
    assert backend["key"].startswith(values["state_key_prefix"])
    assert backend["region"] == values["aws_region"]
    versions = hcl.parse_file(hcl.TERRAFORM / "envs" / env / "versions.tf")
    assert "s3" in {hcl.unquote(k) for block in versions["terraform"] for b in block["backend"] for k in b}


# ---------------------------------------------------------------- variable validation


def _validations(env: str = "dev") -> dict[tuple[str, int], dict[str, Any]]:
    variables = hcl.labelled(hcl.parse_dir(hcl.TERRAFORM / "envs" / env), "variable")
    return {
        (name, index): block
        for name, body in variables.items()
        for index, block in enumerate(body.get("validation", []))
    }


# (env, variable, validation index, a value that validation must reject)
REJECTED = [
    ("dev", "environment", 0, "qa"),
    ("dev", "aws_region", 0, "canada"),
    ("dev", "aws_account_id", 0, "1234"),
    ("dev", "team", 0, ""),
    ("dev", "cost_center", 0, ""),
    ("dev", "github_repository", 0, "no-owner"),
    ("dev", "alert_emails", 0, ["data-oncall"]),
    ("dev", "notification_emails", 0, ["team@localhost"]),
    ("dev", "noncurrent_version_expiration_days", 0, 0),
    ("dev", "temp_expiration_days", 0, 0),
    ("dev", "quarantine_expiration_days", 0, 3),
    ("dev", "access_log_expiration_days", 0, 30),
    ("dev", "glue_number_of_workers", 0, 1),
    ("dev", "glue_timeout_minutes", 0, 5),
    ("dev", "redshift_deployment", 0, "dc2"),
    ("dev", "redshift_deployment", 1, "provisioned"),
    ("dev", "redshift_subnet_ids", 0, []),
    ("dev", "redshift_security_group_ids", 0, []),
    ("dev", "redshift_serverless_base_capacity", 0, 4),
    ("dev", "redshift_serverless_max_capacity", 0, 1),
    ("dev", "redshift_node_type", 0, "dc2.large"),
    ("dev", "redshift_number_of_nodes", 0, 0),
    ("dev", "redshift_snapshot_retention_days", 0, 40),
    ("dev", "mwaa_environment_class", 0, "mw1.huge"),
    ("dev", "mwaa_min_workers", 0, 0),
    ("dev", "mwaa_max_workers", 0, 0),
    ("dev", "mwaa_subnet_ids", 0, ["subnet-a"]),
    ("dev", "mwaa_security_group_ids", 0, []),
    ("dev", "mwaa_log_level", 0, "VERBOSE"),
    ("dev", "mwaa_weekly_maintenance_window_start", 0, "SUNDAY 3am"),
    ("dev", "human_principal_arns", 0, ["DataEngineers"]),
    ("dev", "human_access_level", 0, "admin"),
    ("prod", "human_access_level", 1, "operator"),
    ("dev", "records_read_baseline", 0, 0),
    ("dev", "s3_write_bytes_baseline", 0, 0),
    ("dev", "jvm_heap_usage_threshold", 0, 1.5),
    ("dev", "freshness_hours", 0, 0),
    ("dev", "freshness_schedule_minutes", 0, 1),
]


def test_every_validation_block_has_a_rejected_case() -> None:
    assert {(var, index) for _, var, index, _ in REJECTED} == set(_validations())


@pytest.mark.parametrize("env", hcl.ENVIRONMENTS)
def test_tfvars_pass_every_validation(env: str) -> None:
    module = hcl.root(env)
    for (name, index), block in _validations(env).items():
        assert module.scope.eval(block["condition"]) is True, f"envs/{env}: {name} fails validation {index}"


@pytest.mark.parametrize(("env", "name", "index", "bad"), REJECTED, ids=lambda v: str(v))
def test_validation_rejects_bad_value(env: str, name: str, index: int, bad: Any) -> None:
    block = _validations(env)[(name, index)]
    module = hcl.root(env, {name: bad})
    assert module.scope.eval(block["condition"]) is False, f"{name}={bad!r} passed validation {index}"
    message = hcl.Scope({}).eval(block["error_message"])
    assert name in message, f"the error for {name} should name it: {message!r}"


def test_evaluator_refuses_what_it_does_not_know() -> None:
    with pytest.raises(hcl.Unevaluable):
        hcl.Scope({}).eval('${formatdate("YYYY", timestamp())}')


# ---------------------------------------------------------------- tags


def test_provider_default_tags_carry_the_three_tags() -> None:
    versions = hcl.parse_file(hcl.TERRAFORM / "envs" / "dev" / "versions.tf")
    provider = versions["provider"][0]['"aws"']
    assert provider["default_tags"][0]["tags"] == "${local.tags}"
    for env in hcl.ENVIRONMENTS:
        tags = hcl.root(env).local["tags"]
        assert set(tags) >= TAGS and all(tags[k] for k in TAGS), f"envs/{env} local.tags: {tags}"
        assert tags["Environment"] == env


def test_every_module_call_passes_the_tags() -> None:
    calls = hcl.labelled(hcl.parse_dir(hcl.TERRAFORM / "envs" / "dev"), "module")
    for name, body in calls.items():
        assert body.get("tags") == "${local.tags}", f"module {name} must get tags = local.tags"


def test_every_taggable_resource_is_tagged_explicitly() -> None:
    for module, rtype, name, body in _module_resources():
        where = f"{module.name}: {rtype}.{name}"
        assert rtype in TAGGABLE | NOT_TAGGABLE, f"{where}: add {rtype} to TAGGABLE or NOT_TAGGABLE"
        if rtype in TAGGABLE:
            assert "var.tags" in str(body.get("tags", "")), f"{where} needs tags = var.tags"


@pytest.mark.parametrize("env", hcl.ENVIRONMENTS)
def test_tags_evaluate_on_job_and_buckets(env: str) -> None:
    modules = hcl.root(env).scope.roots["module"]
    for _, bucket in modules["data_lake"].module.instances("aws_s3_bucket", "this"):
        assert set(bucket["tags"]) >= TAGS
    [(_, job)] = modules["glue"].module.instances("aws_glue_job", "orders_transform")
    assert {k: job["tags"][k] for k in TAGS} == {k: hcl.root(env).local["tags"][k] for k in TAGS}


# ---------------------------------------------------------------- buckets


def _references(body: dict[str, Any], target: str) -> bool:
    return target in str(body.get("bucket", ""))


def test_every_bucket_is_encrypted_versioned_private_tls_only_and_expiring() -> None:
    for module in MODULES:
        doc = hcl.parse_dir(module)
        resources = list(hcl.blocks(doc, "resource"))
        for rtype, name, _ in resources:
            if rtype != "aws_s3_bucket":
                continue
            target = f"aws_s3_bucket.{name}"
            related = {t: b for t, _, b in resources if t.startswith("aws_s3_") and _references(b, target)}
            where = f"{module.name}: {target}"
            versioning = related["aws_s3_bucket_versioning"]["versioning_configuration"][0]
            assert versioning["status"] == '"Enabled"', where
            sse = related["aws_s3_bucket_server_side_encryption_configuration"]["rule"][0]
            algorithm = sse["apply_server_side_encryption_by_default"][0]["sse_algorithm"]
            # S3 server access log delivery cannot write to SSE-KMS buckets; that one bucket uses SSE-S3.
            assert algorithm == ('"AES256"' if name == "access_logs" else '"aws:kms"'), where
            block = related["aws_s3_bucket_public_access_block"]
            assert all(block[k] is True for k in PUBLIC_ACCESS_BLOCK), where
            rules = related["aws_s3_bucket_lifecycle_configuration"]["rule"]
            assert any("abort_incomplete_multipart_upload" in r for r in rules), where
            assert any("noncurrent_version_expiration" in r for r in rules), where
            policy = related["aws_s3_bucket_policy"]["policy"]
            document = re.search(r"aws_iam_policy_document\.(\w+)", policy)[1]
            statements = next(b for _, n, b in hcl.blocks(doc, "data") if n == document)["statement"]
            denies_plain_http = [
                s for s in statements if s.get("effect") == '"Deny"' and "aws:SecureTransport" in str(s)
            ]
            assert denies_plain_http, f"{where}: bucket policy must deny aws:SecureTransport=false"


def test_temp_and_quarantine_expire() -> None:
    for env in hcl.ENVIRONMENTS:
        lake = hcl.root(env).scope.roots["module"]["data_lake"].module
        assert set(lake.local["expiration_days"]) == {"temp", "quarantine"}


# ---------------------------------------------------------------- IAM


def _policy_documents() -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{module.name}: {name}", body)
        for module in MODULES
        for rtype, name, body in hcl.blocks(hcl.parse_dir(module), "data")
        if rtype == "aws_iam_policy_document"
    ]


def test_no_statement_allows_every_action_on_every_resource() -> None:
    documents = _policy_documents()
    assert len(documents) > 10
    for where, body in documents:
        statements = list(body.get("statement", []))
        statements += [d[k]["content"][0] for d in body.get("dynamic", []) for k in d]
        for statement in statements:
            if statement.get("effect", '"Allow"') != '"Allow"':
                continue
            actions = {hcl.unquote(a) for a in statement.get("actions", [])}
            resources = {hcl.unquote(r) for r in statement.get("resources", [])}
            assert not ("*" in actions and "*" in resources), f"{where}: '*' action on '*' resource"
            assert "*" not in actions and "not_actions" not in statement, f"{where}: allows every action"


def test_every_policy_is_a_checked_policy_document() -> None:
    """Inline JSON would escape the test above: every policy comes from aws_iam_policy_document."""
    for module, rtype, name, body in _module_resources():
        for key in ("policy", "assume_role_policy"):
            if key in body:
                reference = str(body[key])
                assert reference.startswith("${data.aws_iam_policy_document."), f"{module.name}: {name}"
        assert "AdministratorAccess" not in str(body), f"{module.name}: {rtype}.{name}"


def test_prod_people_are_read_only_and_deploys_come_from_main_or_the_environment() -> None:
    iam = hcl.root("prod").scope.roots["module"]["iam"].module
    assert [key for key, _ in iam.instances("aws_iam_role", "human")] == ["readonly"]
    trust = next(b for t, n, b in hcl.blocks(iam.doc, "data") if n == "deploy_assume")
    subjects = iam.scope.eval(trust["statement"][0]["condition"][1]["values"])
    assert subjects == [
        "repo:example-org/dataops-orders:ref:refs/heads/main",
        "repo:example-org/dataops-orders:environment:prod",
    ]
    assert iam.scope.eval(trust["statement"][0]["condition"][0]["values"]) == ["sts.amazonaws.com"]
