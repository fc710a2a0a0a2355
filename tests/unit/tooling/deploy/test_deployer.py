"""The deployer against the local AWS emulator (S3 over HTTP) with MWAA stubbed (see conftest.py).

Every scenario is proven by what S3 and the deployment log hold afterwards, not by return values.
"""

from __future__ import annotations

import pytest

from tests.unit.tooling.deploy.stubs import (
    COMMIT,
    body,
    deployer,
    expect_get,
    expect_import_errors,
    expect_update,
    first_deploy,
)
from tests.unit.tooling.deploy.test_bundle import git
from tooling.deploy import log as deploy_log
from tooling.deploy.checks import current_commit
from tooling.deploy.log import FAILED, ROLLBACK, SUCCEEDED
from tooling.deploy.types import DeployError


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


def test_each_deploy_records_the_commits_it_makes_live_and_a_no_op_is_not_live(target, s3, mwaa, repo):
    base = current_commit(repo)
    first = first_deploy(target, s3, mwaa, repo, commit=base)
    (repo / "dags/orders_nightly.py").write_text("# airflow dag v2\n")
    git(repo, "commit", "-q", "-am", "v2")
    head = current_commit(repo)
    client, stubber = mwaa
    expect_get(stubber, target, pins=first.deployed.files)
    expect_import_errors(stubber, target)
    second = deployer(target, s3, client, repo).deploy(head)
    expect_get(stubber, target, pins=first.deployed.files)
    no_op = deployer(target, s3, client, repo).deploy(head)

    assert first.commits == [{"sha": base.sha, "time": base.time}]  # a first deploy: its head only
    assert second.commits == [{"sha": head.sha, "time": head.time}]  # not base again
    assert (first.live, second.live, no_op.live) == (True, True, False)
    assert no_op.commits == []  # head is live already: nothing new shipped


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
