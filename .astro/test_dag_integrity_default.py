"""Astro CLI's integrity test (`astro dev parse`): every DAG file imports, except listed exceptions.

The full house rules live in tests/dags/; this file gives Astro users the same first gate.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from airflow.dag_processing.dagbag import DagBag

PROJECT = Path(__file__).resolve().parents[1]
EXCEPTIONS = {
    line.strip()
    for line in (PROJECT / ".astro" / "dag_integrity_exceptions.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
}


def _import_errors() -> list[tuple[str, str]]:
    bag = DagBag(dag_folder=str(PROJECT / "dags"), include_examples=False)
    return [
        (os.path.relpath(path, PROJECT), error)
        for path, error in bag.import_errors.items()
        if os.path.relpath(path, PROJECT) not in EXCEPTIONS
    ]


@pytest.mark.parametrize("rel_path,error", _import_errors() or [(None, None)], ids=lambda x: str(x))
def test_file_imports(rel_path, error):
    if rel_path and error:
        raise Exception(f"{rel_path} failed to import with message \n {error}")
