"""The MWAA bundle: the right files under the right keys, and byte-for-byte reproducible."""

from __future__ import annotations

import io
import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from tooling.deploy.bundle import BuildError, build_bundle, plugins_zip, write_bundle

FILES = {
    "dags/orders_nightly.py": "# airflow dag\n",
    "include/__init__.py": "",
    "include/dataops/__init__.py": "",
    "include/dataops/gate.py": "GATE = 1\n",
    "include/dataops/notes.txt": "not on the allow-list\n",
    "include/config/prod.yaml": "environment: prod\n",
    "include/config/local.yaml": "environment: local\n",
    "glue_jobs/orders_transform.py": "# glue job\n",
    "glue_jobs/_helpers.py": "# private\n",
    "tooling/local/awsglue_shim/awsglue/utils.py": "# local stand-in\n",
    "dbt/dbt_project.yml": "name: orders\n",
    "dbt/profiles.yml": "orders: {}\n",
    "dbt/README.md": "for people, not for dbt\n",
    "dbt/models/stg_orders.sql": "select 1 as id\n",
    "dbt/macros/cents.sql": "{% macro cents() %}100{% endmacro %}\n",
    "dbt/tests/assert_positive.sql": "select 1 where false\n",
    "plugins/operators.py": "# plugin\n",
    "plugins/README.md": "not shipped\n",
    "requirements.txt": "astronomer-cosmos==1.15.1\n",
    "startup.sh": "#!/usr/bin/env bash\n",
    "tests/test_x.py": "# never shipped\n",
    "dags/tooling/helper.py": "# a folder below dags/ is not on the allow-list\n",
    "bench/parse.py": "# never shipped\n",
    ".gitignore": "dbt/target/\n__pycache__/\n.local/\n",
}


def git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t"}
    env["GIT_COMMITTER_EMAIL"] = "t@x"
    return subprocess.run(
        ["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True
    ).stdout


def make_repo(root: Path) -> Path:
    """A small checkout with the repository's layout, committed on main, plus ignored build output."""
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "dbt/target").mkdir(parents=True)
    (root / "dbt/target/manifest.json").write_text('{"nodes": {}}')
    (root / "dbt/target/run_results.json").write_text("{}")
    (root / "include/dataops/__pycache__").mkdir()
    (root / "include/dataops/__pycache__/gate.cpython-311.pyc").write_bytes(b"\0")
    (root / ".local").mkdir()
    (root / ".local/state").write_text("local only")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "initial")
    return root


def test_the_dag_prefix_holds_only_the_allow_list_dags_include_dbt_and_the_manifest(tmp_path):
    bundle = build_bundle(make_repo(tmp_path))

    assert set(bundle.dags) == {
        "orders_nightly.py",
        "include/__init__.py",
        "include/dataops/__init__.py",
        "include/dataops/gate.py",
        "include/config/prod.yaml",
        "dbt/dbt_project.yml",
        "dbt/profiles.yml",
        "dbt/models/stg_orders.sql",
        "dbt/macros/cents.sql",
        "dbt/tests/assert_positive.sql",
        "dbt/target/manifest.json",
        "dbt/target/cosmos_manifest.json",
        ".airflowignore",
    }
    assert json.loads(bundle.dags["dbt/target/cosmos_manifest.json"].body)["nodes"] == {}
    assert bundle.dags[".airflowignore"].body.decode().splitlines() == ["include/", "dbt/"]
    assert set(bundle.glue_scripts) == {"glue/orders_transform.py"}
    assert bundle.requirements.body == b"astronomer-cosmos==1.15.1\n"


def test_plugins_zip_skips_the_readme_and_is_reproducible_across_builds(tmp_path):
    root = make_repo(tmp_path)
    first = plugins_zip(root)
    os.utime(root / "plugins/operators.py", (1, 1))

    assert plugins_zip(root).sha256 == first.sha256
    assert zipfile.ZipFile(io.BytesIO(first.body)).namelist() == ["operators.py"]
    (root / "plugins/operators.py").write_text("# changed plugin\n")
    assert plugins_zip(root).sha256 != first.sha256


def test_a_missing_manifest_says_to_compile_dbt_first(tmp_path):
    root = make_repo(tmp_path)
    (root / "dbt/target/manifest.json").unlink()

    with pytest.raises(BuildError, match="make dbt-manifest"):
        build_bundle(root)


def test_outside_a_git_checkout_the_build_says_so(tmp_path):
    (tmp_path / "dbt/target").mkdir(parents=True)
    (tmp_path / "dbt/target/manifest.json").write_text("{}")

    with pytest.raises(BuildError, match="git checkout"):
        build_bundle(tmp_path)


def test_write_bundle_lays_out_the_buckets_and_drops_what_an_earlier_build_left(tmp_path):
    bundle = build_bundle(make_repo(tmp_path / "repo"))
    stale = tmp_path / "out/mwaa/dags/include/config/local.yaml"
    stale.parent.mkdir(parents=True)
    stale.write_text("from a build before the allow-list\n")
    written = write_bundle(bundle, tmp_path / "out")

    relative = {str(p.relative_to(tmp_path / "out")) for p in written}
    assert {"mwaa/dags/orders_nightly.py", "mwaa/plugins.zip", "scripts/glue/orders_transform.py"} <= relative
    assert not stale.exists()
