"""The pull-request stage, runnable locally: `make ci` runs the stages in order, stopping at a failure.

The stage list is written here once. The GitHub workflow and the CodeBuild buildspec call
`make ci-stage STAGE=<name>` for each name below (tests/unit/test_workflows.py holds them to it),
so a stage is added or reordered in one place. Each stage is a make target another part of the
repository owns; this runner only orders them, times them and says what to fix.

The pytest stage runs `make test`, the whole suite with the end-to-end runs, plus coverage: a pull
request is held to every test the README's test command runs (`.ci/run` runs the same).

    python -m tooling.ci [--until STAGE | --only STAGE] [--list]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from include.dataops.settings import REPO_ROOT

TAIL_LINES = 40


@dataclass(frozen=True)
class Stage:
    name: str
    target: str
    fix: str
    # For the pytest stage: its own pytest arguments; PYTEST_ARGS from the environment is appended.
    pytest_args: str | None = None

    @property
    def command(self) -> list[str]:
        command = ["make", "--no-print-directory", self.target]
        if self.pytest_args is not None:
            command.append(f"PYTEST_ARGS={self.pytest_args} {os.environ.get('PYTEST_ARGS', '')}".strip())
        return command


STAGES: tuple[Stage, ...] = (
    Stage(
        "lint", "lint-py", "fix the ruff findings above (`ruff check --fix . && ruff format .` fixes most)"
    ),
    Stage("typecheck", "typecheck", "fix the mypy errors above (settings: [tool.mypy] in pyproject.toml)"),
    Stage("lint-sql", "lint-sql", "fix the SQLFluff findings in dbt/ above (`sqlfluff fix` fixes most)"),
    Stage(
        "zizmor",
        "zizmor",
        "fix the GitHub Actions findings above (pin actions to a commit SHA, persist-credentials: false)",
    ),
    Stage("secrets", "secrets", "remove the secret above, or audit a false positive into .secrets.baseline"),
    Stage("dbt-compile", "dbt-compile", "fix the dbt parse or compile error above (a model, ref or YAML)"),
    Stage("dbt-test", "dbt-test", "fix the failing dbt unit or data test above (or the model it tests)"),
    Stage("gx-check", "gx-check", "fix the failing GX check above (suites in include/dataops/gx/)"),
    Stage("tf-check", "tf-check", "fix the Terraform problem above (infra/terraform/)"),
    Stage(
        "pytest",
        "test",
        "fix the failing tests above (the whole suite: DAG integrity, unit, integration, end to end)",
        "--cov=include --cov-report=xml:coverage.xml --cov-report=term:skip-covered",
    ),
)
STAGE_NAMES: tuple[str, ...] = tuple(stage.name for stage in STAGES)


class CiError(ValueError):
    """A misuse of the runner; the message says how to call it, in one line."""


def stage(name: str) -> Stage:
    for candidate in STAGES:
        if candidate.name == name:
            return candidate
    raise CiError(f"Unknown CI stage {name!r}: use one of {', '.join(STAGE_NAMES)}.")


def select(until: str | None = None, only: str | None = None) -> list[Stage]:
    """The stages one invocation runs: all, a prefix ending at `until`, or just `only`."""
    if until and only:
        raise CiError("Use --until or --only, not both.")
    if only:
        return [stage(only)]
    if until:
        last = STAGES.index(stage(until))
        return list(STAGES[: last + 1])
    return list(STAGES)


def make_targets(makefile: Path) -> set[str]:
    """Targets the Makefile defines (rules, not variable assignments)."""
    pattern = re.compile(r"^([A-Za-z0-9_.-]+)\s*:(?!=)", re.MULTILINE)
    return set(pattern.findall(makefile.read_text()))


def missing_targets(stages: Sequence[Stage], root: Path) -> list[str]:
    defined = make_targets(root / "Makefile")
    return [s.target for s in stages if s.target not in defined]


def tail(text: str, lines: int = TAIL_LINES) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def run_stages(stages: Sequence[Stage], root: Path = REPO_ROOT, log_dir: Path | None = None) -> int:
    """Run the stages in order; print one line each; stop at the first failure with what to fix."""
    missing = missing_targets(stages, root)
    if missing:
        print(
            f"error: the Makefile has no target for {', '.join(missing)}: "
            "the stage's owner adds it (see tooling/ci.py for the stage list).",
            file=sys.stderr,
        )
        return 2
    log_dir = log_dir or root / ".local" / "ci"
    log_dir.mkdir(parents=True, exist_ok=True)
    width = max(len(s.name) for s in stages)
    print(f"make ci: {' -> '.join(s.name for s in stages)}", flush=True)
    total = time.monotonic()
    for current in stages:
        started = time.monotonic()
        result = subprocess.run(
            current.command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        elapsed = time.monotonic() - started
        log = log_dir / f"{current.name}.log"
        log.write_text(result.stdout)
        verdict = "PASS" if result.returncode == 0 else "FAIL"
        print(f"  {verdict}  {current.name:<{width}}  {elapsed:6.1f}s", flush=True)
        if result.returncode != 0:
            print(f"--- last {TAIL_LINES} lines of `{' '.join(current.command[2:])}` (full log: {log}) ---")
            print(tail(result.stdout))
            print("---")
            print(
                f"error: CI stage {current.name} failed: {current.fix}; "
                f"then rerun it alone with `make ci-stage STAGE={current.name}`.",
                file=sys.stderr,
            )
            return 1
    print(f"make ci: all {len(stages)} stages passed in {time.monotonic() - total:.1f}s")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tooling.ci", description=__doc__.split("\n")[0])
    parser.add_argument("--until", metavar="STAGE", help="run the stages up to and including STAGE")
    parser.add_argument("--only", metavar="STAGE", help="run STAGE alone")
    parser.add_argument("--list", action="store_true", help="print the stage names in order and exit")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(STAGE_NAMES))
        return 0
    try:
        stages = select(args.until, args.only)
    except CiError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return run_stages(stages)


if __name__ == "__main__":
    sys.exit(main())
