"""DAG parsing does no I/O that could stall MWAA's DAG processor: no network, no Variables,
no Connections, no secrets looked up from environment variables, at module top level."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.dags.conftest import DAGS_DIR, dag_files

pytestmark = pytest.mark.integration

GUARD = Path(__file__).with_name("_parse_guarded.py")


def _parse_guarded(folder: Path) -> dict:
    out = subprocess.run(
        [sys.executable, str(GUARD), str(folder)], capture_output=True, text=True, timeout=300, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_dags_parse_with_network_variables_and_connections_blocked():
    report = _parse_guarded(DAGS_DIR)
    assert report["import_errors"] == {}, report["import_errors"]
    assert report["lookups"] == [], f"parse-time lookups: {report['lookups']}"
    assert len(report["dags"]) >= len(dag_files())


def test_the_guard_catches_a_dag_that_reads_a_variable_at_parse_time(tmp_path):
    """Proves the guard can fail: a DAG calling Variable.get at top level must be reported."""
    (tmp_path / "bad_dag.py").write_text(
        "from datetime import datetime\n"
        "from airflow.sdk import dag, Variable\n"
        "bucket = Variable.get('bucket')\n"
        "@dag(schedule=None, start_date=datetime(2026, 1, 1))\n"
        "def bad_dag():\n"
        "    pass\n"
        "bad_dag()\n"
    )
    report = _parse_guarded(tmp_path)
    assert report["lookups"] == ["Variable.get"]
    assert report["import_errors"], "the DAG that read a Variable should fail to import"
