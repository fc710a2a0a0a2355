"""The deploy tool against the local AWS emulator (S3 over HTTP) with MWAA stubbed.

moto 5.2.5 has no MWAA, so every MWAA call is botocore's Stubber with responses shaped as the real
API returns them: GetEnvironment, UpdateEnvironment and InvokeRestApi (GET /importErrors). S3 (the
versioned DAG bucket, the scripts bucket and the deployment log) is the real moto server. Each test
creates its own buckets and environment name, so tests never share emulator state.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from include.dataops.settings import REPO_ROOT
from tests.unit.tooling.deploy.test_bundle import git, make_repo
from tooling.deploy import log as deploy_log
from tooling.deploy.deployer import (
    Commit,
    Deployer,
    DeployError,
    Target,
    current_commit,
    require_releasable,
    target_for,
)
from tooling.deploy.log import FAILED, ROLLBACK, SUCCEEDED

REGION = "ca-central-1"
COMMIT = Commit("a" * 40, "2026-11-20T10:00:00+00:00")


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


def first_deploy(target: Target, s3: Any, mwaa: tuple[Any, Stubber], repo: Path) -> deploy_log.Record:
    """Deploy into empty buckets: every file goes up and the environment is pointed at the new pins."""
    client, stubber = mwaa
    expect_get(stubber, target)
    expect_update(stubber, target, ("plugins", "requirements", "startup"))
    expect_get(stubber, target)
    expect_import_errors(stubber, target)
    record = deployer(target, s3, client, repo).deploy(COMMIT)
    stubber.assert_no_pending_responses()
    return record


def body(s3: Any, bucket: str, key: str) -> str:
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()


def test_first_deploy_uploads_everything_versioned_and_records_it(target, s3, mwaa, repo):
    record = first_deploy(target, s3, mwaa, repo)

    assert record.result == SUCCEEDED
    assert body(s3, target.dags_bucket, "dags/orders_nightly.py") == "# airflow dag\n"
    assert body(s3, target.dags_bucket, "dags/dbt/target/manifest.json") == '{"nodes": {}}'
    assert body(s3, target.scripts_bucket, "glue/orders_transform.py") == "# glue job\n"
    assert set(record.deployed.files) == {"plugins", "requirements", "startup"}
    pinned = record.deployed.files["requirements"]
    stored = s3.head_object(Bucket=target.dags_bucket, Key=pinned["key"], VersionId=pinned["version"])
    assert stored["VersionId"] == pinned["version"]
    assert "dags/orders_nightly.py" in record.deployed.dags
    [logged] = deploy_log.read(s3, target.artifacts_bucket, "staging")
    assert (logged.id, logged.result, logged.commit, logged.commit_time) == (
        record.id,
        SUCCEEDED,
        COMMIT.sha,
        COMMIT.time,
    )
    assert logged.started_at <= logged.finished_at


def test_redeploying_the_same_tree_uploads_nothing_and_leaves_mwaa_alone(target, s3, mwaa, repo):
    first = first_deploy(target, s3, mwaa, repo)
    client, stubber = mwaa
    expect_get(stubber, target, pins=first.deployed.files)

    second = deployer(target, s3, client, repo).deploy(COMMIT)

    stubber.assert_no_pending_responses()  # no UpdateEnvironment, no import-error check
    assert second.changes == {"uploaded": [], "deleted": [], "glue_scripts": []}
    assert second.deployed.dags == first.deployed.dags


def test_a_changed_dag_goes_up_alone_without_an_environment_update(target, s3, mwaa, repo):
    first = first_deploy(target, s3, mwaa, repo)
    (repo / "dags/orders_nightly.py").write_text("# airflow dag v2\n")
    (repo / "dags/old.py").unlink(missing_ok=True)
    client, stubber = mwaa
    expect_get(stubber, target, pins=first.deployed.files)
    expect_import_errors(stubber, target)

    record = deployer(target, s3, client, repo).deploy(COMMIT)

    stubber.assert_no_pending_responses()
    assert record.changes["uploaded"] == ["dags/orders_nightly.py"]
    assert body(s3, target.dags_bucket, "dags/orders_nightly.py") == "# airflow dag v2\n"
    assert record.deployed.files == first.deployed.files


def test_dry_run_prints_the_plan_and_uploads_nothing(target, s3, mwaa, repo):
    client, stubber = mwaa
    expect_get(stubber, target)
    lines: list[str] = []

    assert deployer(target, s3, client, repo, out=lines.append).deploy(COMMIT, dry_run=True) is None

    text = "\n".join(lines)
    assert "+ dags/orders_nightly.py" in text
    assert "requirements:  changed" in text
    assert "update needed" in text
    assert s3.list_objects_v2(Bucket=target.dags_bucket).get("KeyCount") == 0
    assert s3.list_objects_v2(Bucket=target.artifacts_bucket).get("KeyCount") == 0


def test_import_errors_after_the_deploy_restore_the_previous_versions(target, s3, mwaa, repo):
    first = first_deploy(target, s3, mwaa, repo)
    (repo / "dags/orders_nightly.py").write_text("import missing_module\n")
    (repo / "dags/extra.py").write_text("# airflow dag extra\n")
    (repo / "requirements.txt").write_text("astronomer-cosmos==1.15.2\n")
    client, stubber = mwaa
    expect_get(stubber, target, pins=first.deployed.files)
    expect_update(stubber, target, ("requirements",))
    expect_get(stubber, target)
    error = {"import_error_id": 1, "timestamp": "2026-11-24T00:00:00Z", "filename": "orders_nightly.py"}
    expect_import_errors(
        stubber, target, [{**error, "bundle_name": "dags-folder", "stack_trace": "No module"}]
    )
    stubber.add_response(  # the restore re-points requirements to the previous version
        "update_environment",
        {"Arn": "arn:aws:airflow:env"},
        {
            "Name": target.mwaa_environment,
            "RequirementsS3Path": "requirements.txt",
            "RequirementsS3ObjectVersion": first.deployed.files["requirements"]["version"],
        },
    )
    expect_get(stubber, target)

    with pytest.raises(
        DeployError, match=r"1 DAG import error.*orders_nightly\.py.*previous versions were restored"
    ):
        deployer(target, s3, client, repo).deploy(COMMIT)

    stubber.assert_no_pending_responses()
    assert body(s3, target.dags_bucket, "dags/orders_nightly.py") == "# airflow dag\n"
    assert "Contents" not in s3.list_objects_v2(Bucket=target.dags_bucket, Prefix="dags/extra.py")
    logged = deploy_log.read(s3, target.artifacts_bucket, "staging")[-1]
    assert logged.result == FAILED and "import error" in logged.error
    assert logged.deployed.files == first.deployed.files


def test_an_update_mwaa_rejects_uploads_no_dags_and_keeps_the_previous_versions(target, s3, mwaa, repo):
    first = first_deploy(target, s3, mwaa, repo)
    (repo / "requirements.txt").write_text("not a requirement !!\n")
    (repo / "dags/orders_nightly.py").write_text("# airflow dag v2\n")
    client, stubber = mwaa
    expect_get(stubber, target, pins=first.deployed.files)
    stubber.add_client_error(
        "update_environment", "ValidationException", "Unable to parse requirements", http_status_code=400
    )

    with pytest.raises(DeployError, match=r"MWAA rejected the update.*ValidationException.*previous"):
        deployer(target, s3, client, repo).deploy(COMMIT)

    assert body(s3, target.dags_bucket, "dags/orders_nightly.py") == "# airflow dag\n"
    logged = deploy_log.read(s3, target.artifacts_bucket, "staging")[-1]
    assert (logged.result, logged.deployed.files) == (FAILED, first.deployed.files)


def test_a_timeout_waiting_for_available_uploads_no_dags(target, s3, mwaa, repo):
    first = first_deploy(target, s3, mwaa, repo)
    (repo / "startup.sh").write_text("#!/usr/bin/env bash\necho v2\n")
    (repo / "dags/orders_nightly.py").write_text("# airflow dag v2\n")
    client, stubber = mwaa
    expect_get(stubber, target, pins=first.deployed.files)
    expect_update(stubber, target, ("startup",))
    expect_get(stubber, target, status="UPDATING")

    with pytest.raises(DeployError, match=r"still UPDATING after 0s: no DAGs were uploaded"):
        deployer(target, s3, client, repo, available_timeout=0).deploy(COMMIT)

    assert body(s3, target.dags_bucket, "dags/orders_nightly.py") == "# airflow dag\n"
    assert deploy_log.read(s3, target.artifacts_bucket, "staging")[-1].result == FAILED


def test_rollback_restores_the_versions_before_the_last_deployment(target, s3, mwaa, repo):
    first = first_deploy(target, s3, mwaa, repo)
    (repo / "dags/orders_nightly.py").write_text("# airflow dag v2\n")
    (repo / "requirements.txt").write_text("astronomer-cosmos==1.15.2\n")
    client, stubber = mwaa
    expect_get(stubber, target, pins=first.deployed.files)
    expect_update(stubber, target, ("requirements",))
    expect_get(stubber, target)
    expect_import_errors(stubber, target)
    second = deployer(target, s3, client, repo).deploy(COMMIT)
    expect_get(stubber, target, pins=second.deployed.files)
    stubber.add_response(
        "update_environment",
        {"Arn": "arn:aws:airflow:env"},
        {
            "Name": target.mwaa_environment,
            "RequirementsS3Path": "requirements.txt",
            "RequirementsS3ObjectVersion": first.deployed.files["requirements"]["version"],
        },
    )
    expect_get(stubber, target)

    record = deployer(target, s3, client, repo).rollback(COMMIT)

    stubber.assert_no_pending_responses()
    assert (record.kind, record.result, record.restores) == (ROLLBACK, SUCCEEDED, second.id)
    assert body(s3, target.dags_bucket, "dags/orders_nightly.py") == "# airflow dag\n"
    assert record.deployed.files == first.deployed.files
    kinds = [r.kind for r in deploy_log.read(s3, target.artifacts_bucket, "staging")]
    assert kinds == ["deploy", "deploy", "rollback"]


def test_rollback_with_no_history_says_there_is_nothing_to_roll_back(target, s3, mwaa, repo):
    with pytest.raises(DeployError, match="no successful deployment: nothing to roll back"):
        deployer(target, s3, mwaa[0], repo).rollback(COMMIT)


def test_an_unversioned_mwaa_bucket_is_refused_before_anything_changes(target, s3, mwaa, repo):
    s3.put_bucket_versioning(Bucket=target.dags_bucket, VersioningConfiguration={"Status": "Suspended"})

    with pytest.raises(DeployError, match=r"versioning Suspended.*enable versioning"):
        deployer(target, s3, mwaa[0], repo).deploy(COMMIT)
    assert s3.list_objects_v2(Bucket=target.artifacts_bucket).get("KeyCount") == 0


def test_a_missing_environment_names_the_flag_to_fix_it(target, s3, mwaa, repo):
    client, stubber = mwaa
    stubber.add_client_error(
        "get_environment", "ResourceNotFoundException", "not found", http_status_code=404
    )

    with pytest.raises(DeployError, match=r"does not exist.*--mwaa-environment"):
        deployer(target, s3, client, repo).deploy(COMMIT)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tooling.deploy", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )


def test_the_cli_rejects_an_unknown_environment_in_one_line():
    result = run_cli("deploy", "--env", "qa")

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: Unknown environment 'qa': deploy to one of dev, staging, prod "
        "(the local environment runs with `make run`)."
    ]


def test_the_cli_reports_a_missing_bucket_in_one_line(aws_endpoint):
    missing = f"t{uuid.uuid4().hex[:10]}-missing"
    result = run_cli("deploy", "--env", "staging", "--dags-bucket", missing)

    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: Bucket {missing} does not exist: create it with Terraform")


def test_target_names_follow_the_convention_and_the_settings():
    target = target_for("prod")

    assert (target.mwaa_environment, target.dags_bucket) == ("dataops-prod", "airflow-dataops-prod")
    assert (target.artifacts_bucket, target.scripts_bucket) == (
        "dataops-prod-artifacts",
        "dataops-prod-scripts",
    )
    assert target_for("staging", dags_bucket="other").dags_bucket == "other"


def test_prod_refuses_a_dirty_tree(repo):
    (repo / "dags/orders_nightly.py").write_text("# edited, not committed\n")

    with pytest.raises(DeployError, match=r"uncommitted changes.*commit or stash"):
        require_releasable(repo)


def test_prod_refuses_a_commit_that_is_not_on_main(repo):
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "dags/orders_nightly.py").write_text("# feature\n")
    git(repo, "commit", "-q", "-am", "feature work")

    with pytest.raises(DeployError, match="HEAD is not on main: prod deploys only commits merged to main"):
        require_releasable(repo)
    git(repo, "checkout", "-q", "main")
    require_releasable(repo)


def test_the_commit_and_its_time_come_from_git(repo):
    commit = current_commit(repo)

    assert commit.sha == git(repo, "rev-parse", "HEAD").strip()
    assert commit.time.endswith("+00:00")


def test_a_record_is_never_overwritten(target, s3):
    record = deploy_log.Record(
        "staging", "deploy", "c", "2026-11-01T00:00:00+00:00", "2026-11-01T00:00:00+00:00"
    )
    record.result = SUCCEEDED
    deploy_log.append(s3, target.artifacts_bucket, record)
    record.result = FAILED

    with pytest.raises(deploy_log.LogError, match="Could not append"):
        deploy_log.append(s3, target.artifacts_bucket, record)
    stored = json.loads(body(s3, target.artifacts_bucket, record.key))
    assert stored["result"] == SUCCEEDED
