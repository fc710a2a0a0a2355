"""Buckets are encrypted, versioned, private and TLS-only; IAM grants no wildcard and no inline JSON."""

from __future__ import annotations

import re
from typing import Any

from tests.infra.conftest import MODULES, module_resources
from tooling.terraform.files import ENVIRONMENTS, blocks, parse_dir, unquote
from tooling.terraform.modules import root

PUBLIC_ACCESS_BLOCK = (
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
)


def _references(body: dict[str, Any], target: str) -> bool:
    return target in str(body.get("bucket", ""))


def test_every_bucket_is_encrypted_versioned_private_tls_only_and_expiring() -> None:
    for module in MODULES:
        doc = parse_dir(module)
        resources = list(blocks(doc, "resource"))
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
            statements = next(b for _, n, b in blocks(doc, "data") if n == document)["statement"]
            denies_plain_http = [
                s for s in statements if s.get("effect") == '"Deny"' and "aws:SecureTransport" in str(s)
            ]
            assert denies_plain_http, f"{where}: bucket policy must deny aws:SecureTransport=false"


def test_temp_and_quarantine_expire() -> None:
    for env in ENVIRONMENTS:
        lake = root(env).scope.roots["module"]["data_lake"].module
        assert set(lake.local["expiration_days"]) == {"temp", "quarantine"}


def _policy_documents() -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{module.name}: {name}", body)
        for module in MODULES
        for rtype, name, body in blocks(parse_dir(module), "data")
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
            actions = {unquote(a) for a in statement.get("actions", [])}
            resources = {unquote(r) for r in statement.get("resources", [])}
            assert not ("*" in actions and "*" in resources), f"{where}: '*' action on '*' resource"
            assert "*" not in actions and "not_actions" not in statement, f"{where}: allows every action"


def test_every_policy_is_a_checked_policy_document() -> None:
    """Inline JSON would escape the test above: every policy comes from aws_iam_policy_document."""
    for module, rtype, name, body in module_resources():
        for key in ("policy", "assume_role_policy"):
            if key in body:
                reference = str(body[key])
                assert reference.startswith("${data.aws_iam_policy_document."), f"{module.name}: {name}"
        assert "AdministratorAccess" not in str(body), f"{module.name}: {rtype}.{name}"


def test_prod_people_are_read_only_and_deploys_come_from_main_or_the_environment() -> None:
    iam = root("prod").scope.roots["module"]["iam"].module
    assert [key for key, _ in iam.instances("aws_iam_role", "human")] == ["readonly"]
    trust = next(b for t, n, b in blocks(iam.doc, "data") if n == "deploy_assume")
    subjects = iam.scope.eval(trust["statement"][0]["condition"][1]["values"])
    assert subjects == [
        "repo:example-org/dataops-orders:ref:refs/heads/main",
        "repo:example-org/dataops-orders:environment:prod",
    ]
    assert iam.scope.eval(trust["statement"][0]["condition"][0]["values"]) == ["sts.amazonaws.com"]
