"""`make ci` catches a broken change at the right stage.

Each case copies the working tree (git's tracked and unignored files, timestamps kept so make sees
the venvs as up to date) into a temp dir that shares the venvs and the running AWS emulator,
injects one breakage, and runs that stage through the real runner (`python -m tooling.ci
--only <stage>`), which runs the stage's real make target. The runner must report that stage as
failed, and its output must name the injected breakage, so a stage that always fails cannot pass.
A stage whose make target does not exist yet is skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from include.dataops.settings import REPO_ROOT
from tooling.ci import make_targets, stage

pytestmark = pytest.mark.e2e

SHARED = (".venv", ".venv-dbt", ".venv-checkov", ".local/uv")
# The copy reuses the running emulator, with the IAM keys it was provisioned with, and the build
# outputs `make bootstrap` left (the migrated metadata DB, the dbt manifest), timestamps kept, so
# a stage's make target rebuilds only what the injected breakage touched.
EMULATOR_FILES = (".local/moto.pid", ".local/moto.port", ".local/iam-keys.json")
BUILT = (
    ".local/airflow/airflow.db",
    ".local/airflow/.migrated",
    "dbt/target/manifest.json",
    "dbt/target/cosmos_manifest.json",
)

DUPLICATED_KEY_MODEL = """\
select 1 as order_id
union all
select 1 as order_id
"""
DUPLICATED_KEY_YAML = """\
version: 2

models:
  - name: ci_duplicated_key
    description: A deliberately broken model; its key is not unique.
    columns:
      - name: order_id
        description: Should be unique, is not.
        data_tests:
          - unique
"""
UNLINTABLE_SQL = "SELECT   order_id,CUSTOMER_ID FROM {{ ref('stg_orders') }}   WHERE order_id=1\n"
BROKEN_DAG = """\
\"\"\"A DAG whose import fails: the integrity suite must say so.\"\"\"
from airflow.sdk import dag

import module_that_does_not_exist  # noqa: F401
"""
INVALID_TF = 'resource "aws_s3_bucket" "ci_broken" {\n  bucket = "unterminated\n'


def copy_checkout(destination: Path) -> Path:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        source = REPO_ROOT / name
        if source.is_file() and not any(name.startswith(p + "/") for p in SHARED):
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    (destination / ".local").mkdir(exist_ok=True)
    for shared in SHARED:
        if (REPO_ROOT / shared).exists():
            (destination / shared).symlink_to(REPO_ROOT / shared)
    for name in EMULATOR_FILES:
        shutil.copy2(REPO_ROOT / name, destination / name)
    for name in BUILT:
        if (REPO_ROOT / name).exists():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO_ROOT / name, destination / name)
    env_file = (REPO_ROOT / ".local/env.sh").read_text().replace(str(REPO_ROOT), str(destination))
    (destination / ".local/env.sh").write_text(env_file)
    return destination


def run_stage(root: Path, name: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    if stage(name).target not in make_targets(REPO_ROOT / "Makefile"):
        pytest.skip(f"the Makefile has no `{stage(name).target}` target yet (stage {name})")
    env = {**os.environ, "PYTHONPATH": str(root), **extra_env}
    env.pop("MAKEFLAGS", None)
    return subprocess.run(
        [sys.executable, "-m", "tooling.ci", "--only", name],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    if not (REPO_ROOT / ".local/env.sh").exists():
        pytest.fail("The local stack is not bootstrapped: run `make bootstrap` first.")
    return copy_checkout(tmp_path / "repo")


def assert_caught(root: Path, result: subprocess.CompletedProcess[str], name: str, evidence: str) -> None:
    """The runner failed this stage, and the stage's full log (its tail is printed) names the breakage."""
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-3000:]
    assert f"FAIL  {name}" in result.stdout, output[-3000:]
    assert f"error: CI stage {name} failed" in result.stderr
    log = (root / ".local" / "ci" / f"{name}.log").read_text()
    assert evidence in log, f"{evidence!r} not in the {name} stage log:\n{log[-3000:]}"


def test_a_python_lint_error_fails_the_lint_stage(checkout):
    (checkout / "include/dataops/ci_broken.py").write_text("import os\n")

    assert_caught(checkout, run_stage(checkout, "lint"), "lint", "ci_broken.py")


def test_an_unlintable_sql_file_fails_lint_sql(checkout):
    (checkout / "dbt/models/staging/ci_unlintable.sql").write_text(UNLINTABLE_SQL)

    assert_caught(checkout, run_stage(checkout, "lint-sql"), "lint-sql", "ci_unlintable.sql")


def test_a_model_with_a_duplicated_key_fails_dbt_test(checkout):
    (checkout / "dbt/models/marts/ci_duplicated_key.sql").write_text(DUPLICATED_KEY_MODEL)
    (checkout / "dbt/models/marts/_ci_duplicated_key.yml").write_text(DUPLICATED_KEY_YAML)

    assert_caught(checkout, run_stage(checkout, "dbt-test"), "dbt-test", "unique_ci_duplicated_key_order_id")


def test_an_invalid_terraform_file_fails_tf_check(checkout):
    (checkout / "infra/terraform/envs/dev").mkdir(parents=True, exist_ok=True)
    (checkout / "infra/terraform/envs/dev/ci_broken.tf").write_text(INVALID_TF)

    assert_caught(checkout, run_stage(checkout, "tf-check"), "tf-check", "ci_broken.tf")


def test_a_dag_with_an_import_error_fails_the_pytest_stage(checkout):
    (checkout / "dags/ci_broken.py").write_text(BROKEN_DAG)

    result = run_stage(
        checkout, "pytest", PYTEST_ARGS="tests/dags/test_dag_integrity.py -p no:cacheprovider", WORKERS="0"
    )

    assert_caught(checkout, result, "pytest", "ci_broken")
