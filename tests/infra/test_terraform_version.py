"""The Terraform CI installs meets every `required_version` in infra/terraform; the plan uses the backend.

The version is written once, in .terraform-version, and the workflow reads it from there. Terraform's
constraint syntax is evaluated here (the `terraform` binary, which would check it at init, is not
installed): comma-separated conditions, all of which must hold, each one of `=` (or no operator),
`!=`, `>`, `>=`, `<`, `<=` and the pessimistic `~>`, which lets only the last given part grow.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from include.dataops.settings import REPO_ROOT
from tooling.terraform.files import ENVIRONMENTS, TERRAFORM, parse_file, unquote

VERSION_FILE = REPO_ROOT / ".terraform-version"
CONDITION = re.compile(r"^\s*(=|!=|>=|<=|>|<|~>)?\s*v?(\d+(?:\.\d+){0,2})\s*$")
COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}
Version = tuple[int, int, int]


def parse_version(text: str) -> tuple[Version, int]:
    """(major, minor, patch) padded with zeros, and how many parts were written."""
    parts = [int(part) for part in text.split(".")]
    major, minor, patch = [*parts, 0, 0][:3]
    return (major, minor, patch), len(parts)


def satisfies(version: str, constraint: str) -> bool:
    have, _ = parse_version(version)
    for condition in constraint.split(","):
        match = CONDITION.match(condition)
        if not match:
            raise ValueError(f"Unsupported Terraform version condition {condition!r} in {constraint!r}.")
        op, written = match.group(1) or "=", match.group(2)
        want, given = parse_version(written)
        if op == "~>":
            # `~> 1.2` means >= 1.2, < 2.0; `~> 1.2.3` means >= 1.2.3, < 1.3.0; `~> 1` means >= 1, < 2.
            bump = max(given - 2, 0)
            upper = (*want[:bump], want[bump] + 1, 0, 0)[:3]
            if not (want <= have < upper):
                return False
        elif not COMPARE[op](have, want):
            return False
    return True


def required_versions() -> dict[str, str]:
    """Every `required_version` under infra/terraform, by file."""
    found = {}
    for path in sorted(TERRAFORM.rglob("*.tf")):
        for block in parse_file(path).get("terraform", []):
            if "required_version" in block:
                found[str(path.relative_to(REPO_ROOT))] = unquote(block["required_version"])
    return found


def terraform_job() -> dict[str, Any]:
    return yaml.safe_load((REPO_ROOT / ".github" / "workflows" / "ci.yml").read_text())["jobs"]["terraform"]


@pytest.mark.parametrize(
    ("version", "constraint", "expected"),
    [
        ("1.10.0", ">= 1.10", True),
        ("1.9.8", ">= 1.10", False),
        ("1.15.9", "~> 1.10", True),
        ("2.0.0", "~> 1.10", False),
        ("1.10.7", "~> 1.10.2", True),
        ("1.11.0", "~> 1.10.2", False),
        ("1.10.1", "~> 1.10.2", False),
        ("1.99.0", "~> 1", True),
        ("1.10.5", ">= 1.10, < 1.11", True),
        ("1.11.0", ">= 1.10, < 1.11", False),
        ("1.10.5", "= 1.10.5", True),
        ("1.10.5", "1.10.4", False),
        ("1.10.5", "!= 1.10.5", False),
        ("1.10.5", "> 1.10.4, <= 1.10.5", True),
    ],
)
def test_the_constraint_evaluator_follows_terraform(version, constraint, expected):
    assert satisfies(version, constraint) is expected


def test_an_unknown_condition_is_refused_rather_than_passed():
    with pytest.raises(ValueError, match=r"Unsupported Terraform version condition '=> 1\.10'"):
        satisfies("1.10.0", "=> 1.10")


def test_the_pinned_version_satisfies_every_required_version():
    pinned = VERSION_FILE.read_text().strip()
    constraints = required_versions()

    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned), (
        f".terraform-version must be an exact X.Y.Z, not {pinned!r}"
    )
    assert {path.split("/")[3] for path in constraints} >= set(ENVIRONMENTS)
    assert {path: c for path, c in constraints.items() if not satisfies(pinned, c)} == {}


def test_the_workflow_installs_the_version_from_the_version_file():
    steps = terraform_job()["steps"]
    reader = next(s for s in steps if s.get("id") == "terraform-version")
    setup = next(s for s in steps if s.get("uses", "").startswith("hashicorp/setup-terraform@"))

    assert ".terraform-version" in reader["run"] and reader["working-directory"] == "."
    assert setup["with"]["terraform_version"] == "${{ steps.terraform-version.outputs.version }}"
    assert steps.index(reader) < steps.index(setup)


def test_the_plan_initialises_the_environment_backend():
    job = terraform_job()
    plan = next(s for s in job["steps"] if "terraform plan" in s.get("run", ""))
    init = next(line for line in plan["run"].splitlines() if line.startswith("terraform init"))

    assert "-backend-config=backend.hcl" in init.split()
    assert job["defaults"]["run"]["working-directory"] == "infra/terraform/envs/${{ matrix.environment }}"
    for env in ENVIRONMENTS:
        assert (TERRAFORM / "envs" / env / "backend.hcl").is_file()
