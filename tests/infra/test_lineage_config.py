"""MWAA's OpenLineage options: a file transport in the artifacts bucket unless another is set."""

from __future__ import annotations

import json

from tooling.terraform.evaluate import Scope
from tooling.terraform.files import TERRAFORM, blocks, merged_locals, parse_dir

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
