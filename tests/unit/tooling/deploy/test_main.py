"""The command line: one-line errors, in a fresh interpreter as CI runs it."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

from include.dataops.settings import REPO_ROOT


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


def test_every_command_prints_its_help_in_a_fresh_interpreter():
    usage = run_cli("--help")
    commands = ("deploy", "plan", "rollback", "smoke", "release-dbt", "dora", "backfill", "notify", "build")
    commands += ("build-plugins",)

    assert usage.returncode == 0 and "{" + ",".join(commands) + "}" in usage.stdout
    for command in commands:
        result = run_cli(command, "--help")
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"usage: python -m tooling.deploy {command}")
