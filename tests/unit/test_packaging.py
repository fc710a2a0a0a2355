"""The files that package this repository for MWAA, Docker and Astro hold together.

There is no Docker engine here, so docker-compose.yaml is checked for structure, not run.
"""

from __future__ import annotations

import io
import os
import subprocess
import uuid
import zipfile

import yaml

from include.dataops.settings import REPO_ROOT
from tooling import locks
from tooling.deploy.bundle import plugins_zip

COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yaml").read_text())
AIRFLOW_VERSION = locks.read_lock(locks.AIRFLOW_LOCK)["apache-airflow"]


def test_compose_has_the_components_mwaa_runs_plus_postgres_and_the_emulator():
    assert {
        "postgres",
        "moto",
        "airflow-init",
        "airflow-apiserver",
        "airflow-scheduler",
        "airflow-dag-processor",
        "airflow-triggerer",
    } <= set(COMPOSE["services"])


def test_compose_images_are_pinned_and_airflow_matches_the_lock():
    for name, service in COMPOSE["services"].items():
        image = service["image"]
        assert ":" in image and not image.endswith(":latest"), f"{name}: pin the image tag"
        if name.startswith("airflow"):
            assert image == f"apache/airflow:{AIRFLOW_VERSION}-python3.12"


def test_compose_mounts_the_code_and_uses_a_postgres_metadata_db():
    for name, service in COMPOSE["services"].items():
        if not name.startswith("airflow"):
            continue
        mounts = {volume.split(":")[1] for volume in service["volumes"]}
        assert {"/opt/airflow/dags", "/opt/airflow/include", "/opt/airflow/dbt"} <= mounts, name
        assert service["environment"]["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql")


def test_startup_script_builds_the_dbt_venv_without_dbt_in_requirements():
    startup = (REPO_ROOT / "startup.sh").read_text()
    assert "${AIRFLOW_HOME}/dbt_venv" in startup and "dbt-redshift==" in startup
    assert subprocess.run(["bash", "-n", str(REPO_ROOT / "startup.sh")], check=False).returncode == 0


def test_astro_project_files_exist_and_carry_no_exceptions():
    astro = REPO_ROOT / ".astro"
    assert yaml.safe_load((astro / "config.yaml").read_text())["project"]["name"]
    exceptions = [
        line
        for line in (astro / "dag_integrity_exceptions.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert exceptions == []
    assert "DagBag" in (astro / "test_dag_integrity_default.py").read_text()


def test_make_plugins_zip_writes_the_bytes_a_deploy_uploads():
    # A probe plugin with an odd mtime makes the bytes depend on the builder (timestamps, order, modes).
    probe = REPO_ROOT / "plugins" / f"probe_{uuid.uuid4().hex[:8]}.py"
    try:
        probe.write_text("# a plugin the test adds and removes\n")
        os.utime(probe, (86400 * 365 * 20, 86400 * 365 * 20))
        subprocess.run(["make", "-s", "plugins-zip"], cwd=REPO_ROOT, check=True, capture_output=True)
        built = (REPO_ROOT / "dist" / "plugins.zip").read_bytes()
        expected = plugins_zip(REPO_ROOT).body
    finally:
        probe.unlink()

    assert probe.name in zipfile.ZipFile(io.BytesIO(built)).namelist()
    assert built == expected
