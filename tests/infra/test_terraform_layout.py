"""Every .tf file parses; the environment roots differ only in their tfvars and backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from tooling.terraform.__main__ import main
from tooling.terraform.evaluate import Scope
from tooling.terraform.files import ENVIRONMENTS, TERRAFORM, labelled, parse_dir, parse_file, unquote
from tooling.terraform.modules import tfvars

TF_FILES = sorted(TERRAFORM.rglob("*.tf"))


@pytest.mark.parametrize("path", TF_FILES, ids=lambda p: str(p.relative_to(TERRAFORM)))
def test_every_tf_file_parses(path: Path) -> None:
    assert parse_file(path), f"{path} parsed to nothing"


def test_environment_roots_are_identical_but_for_tfvars_and_backend() -> None:
    per_env = {env: TERRAFORM / "envs" / env for env in ENVIRONMENTS}
    names = {env: sorted(p.name for p in path.iterdir() if p.is_file()) for env, path in per_env.items()}
    assert names["dev"] == names["staging"] == names["prod"], names
    assert {"terraform.tfvars", "backend.hcl", "main.tf"} <= set(names["dev"])
    for name in names["dev"]:
        if name in ("terraform.tfvars", "backend.hcl"):
            continue
        texts = {env: (path / name).read_text() for env, path in per_env.items()}
        assert texts["dev"] == texts["staging"] == texts["prod"], f"envs/*/{name} differ: keep them identical"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_tfvars_set_every_required_variable_and_nothing_undeclared(env: str) -> None:
    variables = labelled(parse_dir(TERRAFORM / "envs" / env), "variable")
    required = {name for name, body in variables.items() if "default" not in body}
    given = set(tfvars(env))
    assert not required - given, f"envs/{env}/terraform.tfvars lacks {sorted(required - given)}"
    undeclared = sorted(given - set(variables))
    assert not undeclared, f"envs/{env}/terraform.tfvars sets undeclared {undeclared}"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_backend_locks_and_matches_tfvars(env: str) -> None:
    backend = Scope({}).eval(parse_file(TERRAFORM / "envs" / env / "backend.hcl"))
    values = tfvars(env)
    assert backend["use_lockfile"] is True and backend["encrypt"] is True
    assert backend["bucket"] == values["state_bucket"]
    assert backend["key"].startswith(values["state_key_prefix"])
    assert backend["region"] == values["aws_region"]
    versions = parse_file(TERRAFORM / "envs" / env / "versions.tf")
    assert "s3" in {unquote(k) for block in versions["terraform"] for b in block["backend"] for k in b}


def test_the_parse_check_names_the_broken_file_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "good.tf").write_text('variable "x" {\n  type = string\n}\n')
    assert main(tmp_path) == 0
    assert capsys.readouterr().out == "hcl: all 1 .tf files parse\n"

    (tmp_path / "broken.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = \n')
    assert main(tmp_path) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"error: {tmp_path / 'broken.tf'} does not parse as HCL (")
    assert err.endswith("): fix the syntax there.\n")
