"""The freshness Lambda's package and wiring: what archive_file zips is all the handler imports,
its SLAs are dbt's, and its schedule is the period its alarms assume."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from include.dataops.observability.freshness import slas_from_dbt, slas_to_json
from include.dataops.settings import REPO_ROOT, load_settings
from tooling.terraform.files import ENVIRONMENTS
from tooling.terraform.modules import Module, root, tfvars

# -I: no checkout, no PYTHONPATH, no cwd on the path; only the zip's files and installed boto3.
IMPORT = "import sys; sys.path.insert(0, {root!r}); import lambdas.freshness.handler as h; print(h.__file__)"


def _freshness(env: str) -> Module:
    return root(env).scope.roots["module"]["freshness"].module


def test_the_package_alone_imports_the_handler(tmp_path: Path) -> None:
    """An isolated interpreter (no checkout on its path) imports the handler from the zip's files."""
    package = _freshness("prod").local["package"]
    for relative in package:
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO_ROOT / relative, target)

    done = subprocess.run(
        [sys.executable, "-I", "-c", IMPORT.format(root=str(tmp_path))],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().startswith(str(tmp_path))


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_function_reads_dbt_slas_and_the_settings_names(env: str) -> None:
    [(_, function)] = list(_freshness(env).instances("aws_lambda_function", "this"))
    variables = function["environment"][0]["variables"]
    settings = load_settings(env)

    assert json.loads(variables["FRESHNESS_SLAS"]) == json.loads(slas_to_json(slas_from_dbt()))
    assert variables["METRICS_NAMESPACE"] == settings.cloudwatch.namespace
    assert variables["WAREHOUSE_SCHEMA"] == settings.warehouse.schema
    assert variables["ARTIFACTS_BUCKET"] == settings.buckets.artifacts
    assert function["handler"] == "lambdas.freshness.handler.handler"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_schedule_is_the_period_the_freshness_alarms_assume(env: str) -> None:
    [(_, rule)] = list(_freshness(env).instances("aws_cloudwatch_event_rule", "schedule"))
    minutes = tfvars(env)["freshness_schedule_minutes"]
    observability = root(env).scope.roots["module"]["observability"].module
    alarms = dict(observability.instances("aws_cloudwatch_metric_alarm", "data_freshness"))

    assert rule["schedule_expression"] == f"rate({minutes} minutes)"
    assert {alarm["period"] for alarm in alarms.values()} == {minutes * 60}
