"""MWAA responses as the real API shapes them (GetEnvironment, UpdateEnvironment, InvokeRestApi).

moto has no MWAA, so the deploy tests queue these on botocore's Stubber; the Stubber also checks
each request's parameters, so a wrong field name fails the test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from botocore.stub import ANY, Stubber

from tooling.deploy import log as deploy_log
from tooling.deploy.deployer import Deployer
from tooling.deploy.types import Commit, Target

COMMIT = Commit("a" * 40, "2026-11-20T10:00:00+00:00")


def environment(
    target: Target, status: str = "AVAILABLE", pins: dict[str, dict[str, str]] | None = None
) -> dict:
    """A GetEnvironment response as MWAA returns it, pointing at the given pinned versions."""
    body: dict[str, Any] = {
        "Name": target.mwaa_environment,
        "Status": status,
        "DagS3Path": "dags",
        "SourceBucketArn": f"arn:aws:s3:::{target.dags_bucket}",
        "AirflowVersion": "3.2.1",
    }
    fields = {"plugins": "Plugins", "requirements": "Requirements", "startup": "StartupScript"}
    for name, pin in (pins or {}).items():
        body[f"{fields[name]}S3Path"] = pin["key"]
        body[f"{fields[name]}S3ObjectVersion"] = pin["version"]
    return {"Environment": body}


def expect_get(stubber: Stubber, target: Target, **kwargs: Any) -> None:
    stubber.add_response("get_environment", environment(target, **kwargs), {"Name": target.mwaa_environment})


def expect_update(stubber: Stubber, target: Target, names: tuple[str, ...]) -> None:
    fields = {"plugins": "Plugins", "requirements": "Requirements", "startup": "StartupScript"}
    params = {"Name": target.mwaa_environment}
    for name in names:
        params[f"{fields[name]}S3Path"] = ANY
        params[f"{fields[name]}S3ObjectVersion"] = ANY
    stubber.add_response("update_environment", {"Arn": "arn:aws:airflow:env"}, params)


def expect_import_errors(
    stubber: Stubber, target: Target, errors: list[dict[str, Any]] | None = None
) -> None:
    response = {"import_errors": errors or [], "total_entries": len(errors or [])}
    stubber.add_response(
        "invoke_rest_api",
        {"RestApiStatusCode": 200, "RestApiResponse": response},
        {"Name": target.mwaa_environment, "Path": "/importErrors", "Method": "GET"},
    )


def deployer(target: Target, s3: Any, client: Any, root: Path, **kwargs: Any) -> Deployer:
    options = {"poll_seconds": 0, "settle_seconds": 0, "out": lambda _: None, **kwargs}
    return Deployer(target, s3, client, root, **options)


def first_deploy(
    target: Target, s3: Any, mwaa: tuple[Any, Stubber], repo: Path, commit: Commit = COMMIT
) -> deploy_log.Record:
    """Deploy into empty buckets: every file goes up and the environment is pointed at the new pins."""
    client, stubber = mwaa
    expect_get(stubber, target)
    expect_update(stubber, target, ("plugins", "requirements", "startup"))
    expect_get(stubber, target)
    expect_import_errors(stubber, target)
    record = deployer(target, s3, client, repo).deploy(commit)
    stubber.assert_no_pending_responses()
    return record


def body(s3: Any, bucket: str, key: str) -> str:
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
