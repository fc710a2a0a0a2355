"""The `make ci` stage runner: order, one line per stage, stop at the first failure with what to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from include.dataops.settings import REPO_ROOT
from tooling.ci import STAGE_NAMES, CiError, Stage, main, run_stages, select

MAKEFILE = """\
passes:
\t@echo passing stage output
fails:
\t@for i in $$(seq 1 60); do echo "noise $$i"; done
\t@echo "models/orders.sql: L010 keywords must be upper case"
\t@exit 3
never:
\t@touch never-ran
"""


def stages(*targets: str) -> list[Stage]:
    return [Stage(t, t, f"fix {t}") for t in targets]


def test_the_stages_are_the_pull_request_stages_in_order():
    assert STAGE_NAMES == (
        "lint",
        "typecheck",
        "lint-sql",
        "zizmor",
        "secrets",
        "dbt-compile",
        "dbt-test",
        "gx-check",
        "tf-check",
        "pytest",
    )


def test_until_runs_a_prefix_and_only_runs_one_stage():
    assert [s.name for s in select(until="dbt-compile")] == [
        "lint",
        "typecheck",
        "lint-sql",
        "zizmor",
        "secrets",
        "dbt-compile",
    ]
    assert [s.name for s in select(only="tf-check")] == ["tf-check"]
    assert [s.name for s in select()] == list(STAGE_NAMES)


def test_an_unknown_stage_lists_the_known_ones():
    with pytest.raises(CiError, match="Unknown CI stage 'unit': use one of lint, typecheck, lint-sql"):
        select(only="unit")


def test_the_runner_stops_at_the_first_failure_with_its_output_tail_and_the_fix(tmp_path: Path, capsys):
    (tmp_path / "Makefile").write_text(MAKEFILE)

    assert run_stages(stages("passes", "fails", "never"), root=tmp_path) == 1

    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[1].split()[:2] == ["PASS", "passes"] and lines[1].endswith("s")
    assert lines[2].split()[:2] == ["FAIL", "fails"]
    assert "models/orders.sql: L010" in out and "noise 60" in out and "noise 5\n" not in out
    assert (
        err.strip()
        == "error: CI stage fails failed: fix fails; then rerun it alone with `make ci-stage STAGE=fails`."
    )
    assert not (tmp_path / "never-ran").exists()
    assert "noise 1\n" in (tmp_path / ".local/ci/fails.log").read_text()


def test_all_stages_passing_exits_zero(tmp_path: Path, capsys):
    (tmp_path / "Makefile").write_text(MAKEFILE)

    assert run_stages(stages("passes"), root=tmp_path) == 0
    assert "all 1 stages passed" in capsys.readouterr().out


def test_a_stage_whose_target_does_not_exist_yet_is_reported_before_anything_runs(tmp_path: Path, capsys):
    (tmp_path / "Makefile").write_text(MAKEFILE + "VARIABLE := gx-check\n")

    assert run_stages(stages("never", "gx-check"), root=tmp_path) == 2
    assert "the Makefile has no target for gx-check" in capsys.readouterr().err
    assert not (tmp_path / "never-ran").exists()


def test_the_cli_lists_the_stages(capsys):
    assert main(["--list"]) == 0
    assert capsys.readouterr().out.split() == list(STAGE_NAMES)


def test_the_cli_refuses_until_with_only(capsys):
    assert main(["--until", "lint", "--only", "lint"]) == 2
    assert capsys.readouterr().err.startswith("error: Use --until or --only")


def test_the_pytest_stage_appends_pytest_args_from_the_environment(monkeypatch):
    monkeypatch.setenv("PYTEST_ARGS", "tests/dags")
    [pytest_stage] = select(only="pytest")

    assert pytest_stage.command[-1].startswith("PYTEST_ARGS=--cov=include")
    assert pytest_stage.command[-1].endswith(" tests/dags")


def recipe(makefile: str, target: str) -> list[str]:
    lines = makefile.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{target}:"))
    body = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        body.append(line.strip())
    return body


def test_the_pytest_stage_runs_the_whole_suite_with_the_end_to_end_tests():
    [pytest_stage] = select(only="pytest")
    [command] = recipe((REPO_ROOT / "Makefile").read_text(), pytest_stage.target)

    assert pytest_stage.target == "test"
    assert "-m pytest" in command and " -m " not in command.replace("-m pytest", "")
