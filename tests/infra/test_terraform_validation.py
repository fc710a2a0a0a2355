"""Variable validation: the tfvars pass every block, and each block rejects a bad value by name."""

from __future__ import annotations

from typing import Any

import pytest

from tooling.terraform.errors import Unevaluable
from tooling.terraform.evaluate import Scope
from tooling.terraform.files import ENVIRONMENTS, TERRAFORM, labelled, parse_dir
from tooling.terraform.modules import root


def _validations(env: str = "dev") -> dict[tuple[str, int], dict[str, Any]]:
    variables = labelled(parse_dir(TERRAFORM / "envs" / env), "variable")
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
    ("dev", "freshness_schedule_minutes", 0, 1),
]


def test_every_validation_block_has_a_rejected_case() -> None:
    assert {(var, index) for _, var, index, _ in REJECTED} == set(_validations())


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_tfvars_pass_every_validation(env: str) -> None:
    module = root(env)
    for (name, index), block in _validations(env).items():
        assert module.scope.eval(block["condition"]) is True, f"envs/{env}: {name} fails validation {index}"


@pytest.mark.parametrize(("env", "name", "index", "bad"), REJECTED, ids=lambda v: str(v))
def test_validation_rejects_bad_value(env: str, name: str, index: int, bad: Any) -> None:
    block = _validations(env)[(name, index)]
    module = root(env, {name: bad})
    assert module.scope.eval(block["condition"]) is False, f"{name}={bad!r} passed validation {index}"
    message = Scope({}).eval(block["error_message"])
    assert name in message, f"the error for {name} should name it: {message!r}"


def test_evaluator_refuses_what_it_does_not_know() -> None:
    with pytest.raises(Unevaluable):
        Scope({}).eval('${formatdate("YYYY", timestamp())}')
