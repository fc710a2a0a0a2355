from __future__ import annotations

import shutil

import pytest

from tooling import locks


@pytest.fixture
def repo_copy(tmp_path, monkeypatch):
    """The lock-related files copied aside, so a test can break one without touching the repo."""
    for name in ("AIRFLOW_LOCK", "DBT_LOCK", "REQUIREMENTS", "STARTUP", "COMPOSE"):
        source = getattr(locks, name)
        target = tmp_path / source.name
        if source.exists():
            shutil.copy(source, target)
        monkeypatch.setattr(locks, name, target)
    return tmp_path


def test_the_repository_is_in_step():
    locks.check()


def test_requirements_names_the_locked_airflow_for_mwaa_python():
    airflow = locks.read_lock(locks.AIRFLOW_LOCK)["apache-airflow"]
    first = locks.REQUIREMENTS.read_text().splitlines()[0]
    assert (
        first
        == f'--constraint "https://raw.githubusercontent.com/apache/airflow/constraints-{airflow}/constraints-3.12.txt"'
    )


def test_requirements_carries_no_dbt():
    assert "dbt" not in "".join(
        line for line in locks.REQUIREMENTS.read_text().splitlines() if not line.startswith("#")
    )


def test_a_pin_that_differs_from_the_lock_is_a_one_line_error(repo_copy):
    req = locks.REQUIREMENTS
    req.write_text(req.read_text().replace("astronomer-cosmos==1.15.1", "astronomer-cosmos==1.14.0"))
    with pytest.raises(locks.LockMismatch) as err:
        locks.check()
    assert "astronomer-cosmos==1.14.0" in str(err.value) and "make lock" in str(err.value)


def test_sync_repairs_what_check_rejects(repo_copy):
    startup = locks.STARTUP
    startup.write_text(startup.read_text().replace("dbt-core==1.11.16", "dbt-core==1.11.2"))
    with pytest.raises(locks.LockMismatch):
        locks.check()
    locks.sync()
    locks.check()
    assert "dbt-core==1.11.16" in startup.read_text()


def test_cli_prints_error_and_exits_non_zero(repo_copy, capsys):
    req = locks.REQUIREMENTS
    req.write_text(req.read_text().replace("constraints-3.2.1", "constraints-3.1.0"))
    assert locks.main(["check"]) == 1
    assert capsys.readouterr().err.startswith("error: requirements.txt names Airflow 3.1.0")
