"""The deployment log: records survive their round trip and S3 refuses to overwrite one."""

from __future__ import annotations

import json

import pytest

from tests.unit.dataops.observability.test_dora import deploy
from tests.unit.tooling.deploy.stubs import body
from tooling.deploy import log as deploy_log
from tooling.deploy.log import FAILED, SUCCEEDED, Record, State


def test_a_record_survives_its_json_round_trip():
    original = deploy(1, commits_hours_ago=(3, 2))
    original.deployed = State(
        dags={"dags/a.py": "v1"}, files={"plugins": {"key": "plugins.zip", "version": "v2"}}
    )

    assert Record.from_json(json.loads(original.to_json())) == original
    assert original.key.startswith("deployments/prod/20261130T")


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
