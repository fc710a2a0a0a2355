"""The GitHub workflows and CodeBuild buildspecs: valid, wired to `make ci`'s stages, and keyless.

actionlint is not installable here (its PyPI package downloads the Go binary from GitHub at build
time), so the workflows are validated against SchemaStore's GitHub workflow schema, vendored in
tests/unit/schemas/github-workflow.json (from check-jsonschema 0.39.0, Apache-2.0), and then held
to this repository's rules: the stages named exactly as tooling/ci.py lists them, OIDC role
assumption (id-token: write) with no stored AWS keys, prod behind the `production` environment,
one concurrency group per environment, and every make target and deploy command they call real.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from include.dataops.settings import REPO_ROOT
from tooling.ci import STAGE_NAMES, make_targets
from tooling.deploy.__main__ import build_parser

WORKFLOWS = REPO_ROOT / ".github" / "workflows"
BUILDSPECS = REPO_ROOT / "buildspec"
SCHEMA = Path(__file__).parent / "schemas" / "github-workflow.json"


def load_workflow(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return data


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return job.get("steps", [])


def runs(text: str) -> list[str]:
    """Every shell line a workflow or buildspec runs, with continuation lines joined."""
    data = yaml.safe_load(text)
    lines: list[str] = []

    def walk(node: Any, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, str(k))
        elif isinstance(node, list):
            for item in node:
                walk(item, key)
        elif isinstance(node, str) and key in ("run", "commands"):
            lines.extend(line.strip() for line in node.replace("\\\n", " ").splitlines() if line.strip())

    walk(data)
    return lines


ALL_FILES = sorted(WORKFLOWS.glob("*.yml")) + sorted(BUILDSPECS.glob("*.yml"))


@pytest.mark.parametrize("name", ["ci.yml", "deploy.yml"])
def test_the_workflow_is_valid_against_the_github_workflow_schema(name):
    jsonschema.Draft7Validator(json.loads(SCHEMA.read_text())).validate(load_workflow(name))


def test_ci_runs_on_pull_requests_with_every_stage_in_order():
    workflow = load_workflow("ci.yml")
    job = workflow["jobs"]["make-ci"]

    assert "pull_request" in workflow["on"]
    stage_steps = [s for s in steps(job) if "make ci-stage" in s.get("run", "")]
    assert [s["run"] for s in stage_steps] == [f"make ci-stage STAGE={name}" for name in STAGE_NAMES]
    assert [s["name"] for s in stage_steps] == list(STAGE_NAMES)


def test_ci_sets_up_python_java_and_caches_the_venvs_on_the_locks():
    uses = {s.get("uses", "").split("@")[0]: s for s in steps(load_workflow("ci.yml")["jobs"]["make-ci"])}

    assert uses["actions/setup-python"]["with"]["python-version"] == "3.11"
    assert uses["actions/setup-java"]["with"]["java-version"] == "17"
    assert "hashFiles('locks/*.txt')" in uses["actions/cache"]["with"]["key"]
    uploaded = uses["actions/upload-artifact"]
    assert uploaded["if"] == "always()"
    for path in ("dbt/target/*.json", "coverage.xml", ".local/gx/"):
        assert path in uploaded["with"]["path"]


def test_terraform_checks_every_environment_and_plans_only_with_an_oidc_role():
    job = load_workflow("ci.yml")["jobs"]["terraform"]
    commands = [s.get("run", "") for s in steps(job)]

    assert job["strategy"]["matrix"]["environment"] == ["dev", "staging", "prod"]
    assert job["permissions"]["id-token"] == "write"
    assert any(s.get("uses", "").startswith("hashicorp/setup-terraform@") for s in steps(job))
    assert "terraform fmt -check -recursive infra/terraform" in commands
    assert "terraform init -backend=false -input=false" in commands
    assert any(c.startswith("terraform validate") for c in commands)
    plan = next(s for s in steps(job) if "terraform plan" in s.get("run", ""))
    credentials = next(s for s in steps(job) if "configure-aws-credentials" in s.get("uses", ""))
    assert plan["if"] == credentials["if"] == "vars.AWS_PLAN_ROLE_ARN != ''"
    assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_PLAN_ROLE_ARN }}"


def test_deploy_runs_on_main_through_staging_and_a_smoke_test_to_a_protected_prod():
    workflow = load_workflow("deploy.yml")
    jobs = workflow["jobs"]

    assert workflow["on"]["push"]["branches"] == ["main"]
    assert workflow["permissions"] == {"contents": "read"}  # id-token only where a job assumes a role
    assert all(job["permissions"]["id-token"] == "write" for job in jobs.values())
    assert jobs["staging-smoke"]["needs"] == "staging"
    assert jobs["production"]["needs"] == "staging-smoke"
    assert jobs["prod-dbt"]["needs"] == "production"
    assert jobs["production"]["environment"] == jobs["prod-dbt"]["environment"] == "production"
    assert jobs["notify"]["if"] == "always()"
    groups = {name: job["concurrency"]["group"] for name, job in jobs.items() if "concurrency" in job}
    assert groups == {
        "staging": "deploy-staging",
        "staging-smoke": "deploy-staging",
        "production": "deploy-prod",
        "prod-dbt": "deploy-prod",
    }
    commands = "\n".join(runs((WORKFLOWS / "deploy.yml").read_text()))
    assert "tooling.deploy deploy --env staging" in commands
    assert "tooling.deploy smoke --env staging --dag orders_nightly" in commands
    assert "tooling.deploy deploy --env prod" in commands
    # The prod dbt step writes nothing itself: the DAG's audit, gate and publish do (one writer).
    assert "tooling.deploy release-dbt --env prod --state prod-manifest/" in commands
    assert not re.search(r"dbt (build|run|seed|snapshot)\b", commands)


@pytest.mark.parametrize("name", ["ci.yml", "deploy.yml"])
def test_aws_access_is_by_role_assumption_and_no_keys_are_stored(name):
    text = (WORKFLOWS / name).read_text()
    workflow = load_workflow(name)

    assert not re.search(r"AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id|secrets\.AWS", text)
    for job in workflow["jobs"].values():
        for step in steps(job):
            if "configure-aws-credentials" in step.get("uses", ""):
                assert step["with"]["role-to-assume"].startswith("${{ vars.")
                permissions = job.get("permissions", workflow.get("permissions"))
                assert permissions["id-token"] == "write"


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_every_make_target_called_exists(path):
    defined = make_targets(REPO_ROOT / "Makefile")
    called = {
        target for line in runs(path.read_text()) for target in re.findall(r"\bmake ([a-z][\w-]*)", line)
    }

    assert called, f"{path.name} calls no make target"
    assert called <= defined, f"{path.name} calls make targets the Makefile lacks: {called - defined}"


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_every_deploy_command_parses_with_the_deploy_cli(path):
    parser = build_parser()
    commands = [line for line in runs(path.read_text()) if "-m tooling.deploy" in line]
    for command in commands:
        placeholder = re.sub(r"\$\{\{[^}]*\}\}|\$\{[^}]*\}|\$[A-Z_]+", "X", command)
        arguments = shlex.split(placeholder.split("-m tooling.deploy", 1)[1])
        parser.parse_args(arguments)  # argparse exits (fails the test) on an unknown flag


def test_the_buildspecs_call_the_same_make_targets():
    ci = yaml.safe_load((BUILDSPECS / "ci.yml").read_text())
    deploy = yaml.safe_load((BUILDSPECS / "deploy.yml").read_text())

    assert ci["version"] == deploy["version"] == 0.2
    assert ci["phases"]["build"]["commands"] == ["make ci"]
    assert ci["phases"]["install"]["runtime-versions"] == {"python": 3.11, "java": "corretto17"}
    assert 'make deploy ENV="$DEPLOY_ENV"' in deploy["phases"]["build"]["commands"]


PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


@pytest.mark.parametrize("name", ["ci.yml", "deploy.yml"])
def test_every_action_is_pinned_to_a_commit_with_its_version_in_a_comment(name):
    uses = [
        line.split("uses:", 1)[1].strip()
        for line in (WORKFLOWS / name).read_text().splitlines()
        if re.match(r"^\s*(- )?uses:", line)
    ]

    assert uses, f"{name} uses no action"
    assert [u for u in uses if not PINNED.match(u)] == []


@pytest.mark.parametrize("name", ["ci.yml", "deploy.yml"])
def test_every_checkout_drops_its_git_credentials(name):
    for job in load_workflow(name)["jobs"].values():
        for step in steps(job):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False


def zizmor(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "-s", "zizmor", f"ZIZMOR_INPUT={path}"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )


def test_the_zizmor_stage_passes_on_the_workflows_and_fails_on_an_unpinned_action(tmp_path: Path):
    assert zizmor(WORKFLOWS).returncode == 0, zizmor(WORKFLOWS).stdout

    planted = tmp_path / ".github" / "workflows"
    shutil.copytree(WORKFLOWS, planted)
    ci = planted / "ci.yml"
    ci.write_text(
        re.sub(r"actions/setup-python@[0-9a-f]{40} # v[\d.]+", "actions/setup-python@v5", ci.read_text())
    )
    result = zizmor(planted)

    assert result.returncode != 0
    assert "unpinned-uses" in result.stdout + result.stderr
