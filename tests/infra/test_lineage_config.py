"""OpenLineage in the cloud: MWAA's transport (files in the artifacts bucket unless another is set),
and the Glue job sending its own lineage to the same place."""

from __future__ import annotations

import json

import pytest

from include.dataops.settings import REPO_ROOT, load_settings
from tooling.local import iam_policy
from tooling.terraform.evaluate import Scope
from tooling.terraform.files import ENVIRONMENTS, TERRAFORM, blocks, merged_locals, parse_dir
from tooling.terraform.modules import root

MODULE = TERRAFORM / "modules" / "mwaa"


def _options(transport: str) -> dict[str, str]:
    raw = merged_locals(parse_dir(MODULE))["lineage_configuration_options"]
    variables = {
        "openlineage_transport": transport,
        "openlineage_namespace": "dataops",
        "bucket_names": {"artifacts": "dataops-prod-artifacts"},
    }
    return Scope({"var": variables, "local": {}}).eval(raw)


def test_the_default_transport_writes_event_files_to_the_artifacts_bucket() -> None:
    options = _options("")
    assert json.loads(options["openlineage.transport"]) == {
        "type": "file",
        "log_file_path": "s3://dataops-prod-artifacts/lineage/events",
        "append": False,
    }
    assert options["openlineage.namespace"] == "dataops"


def test_a_configured_transport_is_passed_through() -> None:
    marquez = json.dumps({"type": "http", "url": "https://marquez.example"})
    assert _options(marquez)["openlineage.transport"] == marquez


def test_the_environment_carries_the_lineage_options() -> None:
    (body,) = [b for t, _, b in blocks(parse_dir(MODULE), "resource") if t == "aws_mwaa_environment"]
    assert "local.lineage_configuration_options" in body["airflow_configuration_options"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_glue_job_sends_its_lineage_where_mwaa_does_with_the_client_pinned_to_the_lock(env) -> None:
    """The Glue script emits raw -> curated/quarantine through the OpenLineage client when it is
    given a transport (glue_jobs/orders_transform.py _Lineage); AWS Glue 5.0 ships no client."""
    instance = root(env).scope.roots["module"]["glue"].module
    (job,) = [b for t, _, b in blocks(instance.doc, "resource") if t == "aws_glue_job"]
    arguments = instance.scope.eval(job["default_arguments"])
    transport = json.loads(arguments["--OPENLINEAGE_TRANSPORT"])
    artifacts = load_settings(env).buckets.artifacts
    assert transport == {"type": "file", "log_file_path": f"s3://{artifacts}/lineage/events", "append": False}

    locked = dict(
        line.split("==")
        for line in (REPO_ROOT / "locks" / "airflow.txt").read_text().splitlines()
        if "==" in line
    )
    pins = dict(module.split("==") for module in arguments["--additional-python-modules"].split(","))
    assert pins == {name: locked[name] for name in ("openlineage-python", "s3fs")}
    policy = iam_policy.document("glue_job", env)
    assert iam_policy.decide(
        policy, "s3:PutObject", f"arn:aws:s3:::{artifacts}/lineage/events/x.json", {}
    ).allowed


def test_events_are_sent_from_a_thread_on_mwaa_and_in_the_local_twin() -> None:
    """The provider's `execute_in_thread`, not a fork of the task runner per event, in both places."""
    from tooling.local.emulator import local_environment

    assert _options("")["openlineage.execute_in_thread"] == "True"
    assert local_environment(0)["AIRFLOW__OPENLINEAGE__EXECUTE_IN_THREAD"] == "True"
