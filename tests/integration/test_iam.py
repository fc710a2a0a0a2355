"""IAM on the local twin: the emulator enforces each role's Terraform policy, the exact check the rest.

The calls are the pipeline's own (its S3 hook write and its CloudWatch publish), made in a separate
process as the MWAA execution role and recorded there, as in every end-to-end run (sandbox.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from include.dataops.settings import REPO_ROOT
from tooling.local import iam, iam_policy

PIPELINE_CALLS = """
from airflow.providers.amazon.aws.hooks.s3 import S3Hook
from include.dataops.observability.metrics import put_metric_data, cloudwatch_client
from include.dataops.settings import load_settings

settings = load_settings("local")
S3Hook(aws_conn_id=settings.aws_conn_id).load_string(
    "{}", key="iam-check/marker.json", bucket_name=settings.buckets.artifacts, replace=True
)
put_metric_data(settings, [{"MetricName": "IamCheck", "Value": 1.0, "Unit": "Count"}])
# Outside the namespace the grant's condition names: moto lets it through, IAM would not.
elsewhere = [{"MetricName": "X", "Value": 1.0}]
cloudwatch_client(settings).put_metric_data(Namespace="Elsewhere", MetricData=elsewhere)
"""


@pytest.fixture(scope="module")
def pipeline_calls(tmp_path_factory) -> list[dict]:
    log = tmp_path_factory.mktemp("iam") / "calls.jsonl"
    env = {**os.environ, **iam.principal_environment("mwaa_execution", log, dict(os.environ))}
    done = subprocess.run(
        [sys.executable, "-c", PIPELINE_CALLS], env=env, cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return iam.recorded(log)


def _client(service: str, key: dict[str, str], endpoint: str):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="ca-central-1",
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
    )


def test_the_emulator_refuses_an_unknown_key_and_a_call_outside_the_role(settings, aws_endpoint):
    with pytest.raises(ClientError, match="InvalidAccessKeyId"):
        unknown = {"AccessKeyId": "testing", "SecretAccessKey": "testing"}  # pragma: allowlist secret
        _client("s3", unknown, aws_endpoint).list_buckets()
    role = _client("s3", iam.key_of("mwaa_execution"), aws_endpoint)
    role.put_object(Bucket=settings.buckets.artifacts, Key="iam-check/allowed", Body=b"1")
    with pytest.raises(ClientError, match="AccessDenied"):
        role.put_object(Bucket=settings.buckets.raw, Key="iam-check/denied", Body=b"1")


def test_the_pipeline_calls_are_recorded_and_those_in_the_grants_pass(pipeline_calls):
    operations = [(c["service"], c["operation"], c["status"]) for c in pipeline_calls]
    assert ("s3", "PutObject", 200) in operations
    assert operations.count(("cloudwatch", "PutMetricData", 200)) == 2
    inside = [c for c in pipeline_calls if c["params"].get("Namespace") != "Elsewhere"]
    assert iam.denials(inside) == []


def test_a_call_outside_the_condition_is_denied_though_moto_let_it_through(pipeline_calls):
    [denial] = iam.denials(pipeline_calls)
    assert (denial.action, denial.resource) == ("cloudwatch:PutMetricData", "*")
    assert '"cloudwatch:namespace": "Elsewhere"' in str(denial)


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        ("s3:PutObject", "arn:aws:s3:::dataops-local-artifacts/iam-check/marker.json"),
        ("cloudwatch:PutMetricData", "*"),
    ],
)
def test_removing_a_needed_action_from_the_rendered_policy_fails_naming_it(pipeline_calls, action, resource):
    """The negative control: the check is only worth something if taking a grant away fails it."""
    reduced = iam_policy.without_action(iam_policy.document("mwaa_execution"), action)
    inside = [c for c in pipeline_calls if c["params"].get("Namespace") != "Elsewhere"]

    messages = [str(d) for d in iam.denials(inside, {"mwaa_execution": reduced})]

    assert messages, f"removing {action} went unnoticed"
    assert any(f"IAM denies {action} on {resource}" in m for m in messages), messages
    assert all(
        "infra/terraform/modules/mwaa/main.tf data.aws_iam_policy_document.execution" in m for m in messages
    )


def test_moto_refuses_the_call_once_the_action_is_removed(settings, aws_endpoint):
    admin = boto3.client("iam", endpoint_url=aws_endpoint, region_name=settings.aws_region)
    user = f"iam-negative-{uuid.uuid4().hex[:8]}"
    admin.create_user(UserName=user)
    reduced = iam_policy.without_action(iam_policy.document("mwaa_execution"), "s3:PutObject")
    admin.put_user_policy(
        UserName=user, PolicyName="t", PolicyDocument=json.dumps(iam.moto_document(reduced))
    )
    key = admin.create_access_key(UserName=user)["AccessKey"]
    s3 = _client("s3", key, aws_endpoint)

    s3.get_object(Bucket=settings.buckets.artifacts, Key="iam-check/allowed")  # still granted
    with pytest.raises(ClientError, match="AccessDenied"):
        s3.put_object(Bucket=settings.buckets.artifacts, Key="iam-check/denied", Body=b"1")


def test_a_process_outside_the_sandbox_records_nothing(tmp_path: Path):
    """The recorder is opt-in: without DATAOPS_IAM_LOG a process on its PYTHONPATH is untouched."""
    env = {k: v for k, v in os.environ.items() if k != iam.LOG_VAR}
    env["PYTHONPATH"] = f"{iam.RECORDER_SITE}{os.pathsep}{env.get('PYTHONPATH', '')}"
    code = "import botocore.session as s; print(s.Session.__init__.__name__)"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "__init__"


GLUE_SCRIPT = """
import json, sys
from pathlib import Path

import boto3

from include.dataops.pipeline.reconcile import manifest_uri

args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
s3 = boto3.client("s3")
s3.put_object(Bucket="dataops-local-curated", Key="iam-check/part-0.parquet", Body=b"1")
try:
    s3.put_object(Bucket="dataops-local-artifacts", Key="iam-check/not-the-jobs", Body=b"1")
    refused = False
except s3.exceptions.ClientError:
    refused = True
manifest = Path(manifest_uri(args["--CURATED_ROOT"], args["--RUN_DATE"]))
manifest.parent.mkdir(parents=True, exist_ok=True)
manifest.write_text(json.dumps({"run_date": args["--RUN_DATE"], "datasets": {}, "refused": refused}))
"""


def test_the_local_glue_run_signs_as_the_glue_job_role_and_its_calls_are_decided(tmp_path, monkeypatch):
    """The runner the sandbox's glue_transform task uses, with a script that calls S3 as the real one
    would on AWS Glue (locally the real script's I/O is the lake directory, so it makes no AWS call)."""
    from tooling.local.glue_job import run_glue_script_locally

    log = tmp_path / "calls.jsonl"
    for name, value in iam.principal_environment("mwaa_execution", log, dict(os.environ)).items():
        monkeypatch.setenv(name, value)
    script = tmp_path / "job.py"
    script.write_text(GLUE_SCRIPT)

    manifest = run_glue_script_locally(script, {"--CURATED_ROOT": str(tmp_path), "--RUN_DATE": "2026-10-01"})

    assert manifest["refused"] is True  # moto enforced the Glue job role's policy
    glue_key = iam.key_of("glue_job")["AccessKeyId"]
    assert {c["key"] for c in iam.recorded(log)} == {glue_key}
    [denial] = iam.denials(iam.recorded(log))
    assert (denial.action, denial.resource) == (
        "s3:PutObject",
        "arn:aws:s3:::dataops-local-artifacts/iam-check/not-the-jobs",
    )
    assert "infra/terraform/modules/glue/main.tf data.aws_iam_policy_document.job" in str(denial)
