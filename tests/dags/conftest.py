"""One DagBag over dags/ for the whole integrity suite: parsing is what we test, once."""

from __future__ import annotations

from pathlib import Path

import pytest

from include.dataops.settings import REPO_ROOT

DAGS_DIR = REPO_ROOT / "dags"


def dag_files() -> list[Path]:
    return sorted(p for p in DAGS_DIR.glob("*.py") if not p.name.startswith("_"))


@pytest.fixture(scope="session")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR), include_examples=False)
