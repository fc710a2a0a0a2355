"""`make gx-check`: the published marts if dbt built them, else sample data; the exit code is the verdict."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from include.dataops.settings import Settings
from tooling import gx_check
from tooling.local.gx_sample import build_sample, sample_conn_id, sample_connection_uri

RUN_DATE = "2031-02-20"


def test_the_newest_published_day_or_none_without_marts(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = build_sample(tmp_path, RUN_DATE, settings)
    monkeypatch.setenv(f"AIRFLOW_CONN_{sample_conn_id(tmp_path).upper()}", sample_connection_uri(tmp_path))
    assert gx_check.newest_mart_day(sample) == RUN_DATE

    missing = json.dumps({"conn_type": "duckdb", "host": str(tmp_path / "absent.duckdb")})
    monkeypatch.setenv("AIRFLOW_CONN_GX_CHECK_ABSENT", missing)
    absent = replace(sample, warehouse=replace(sample.warehouse, conn_id="gx_check_absent"))
    assert gx_check.newest_mart_day(absent) is None
    assert "absent.duckdb does not exist" in capsys.readouterr().out


def test_a_bad_run_date_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert gx_check.main(["--sample", "--run-date", "someday", "--no-publish"]) == 2
    assert capsys.readouterr().err == "error: run date 'someday' is not a date: use YYYY-MM-DD.\n"


@pytest.mark.integration
def test_violations_in_the_sample_fail_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "sample"
    monkeypatch.setattr(gx_check, "SAMPLE_ROOT", root)
    monkeypatch.setattr("include.dataops.gx.checkpoint.LOCAL_DOCS_DIR", tmp_path / "docs")
    # main() sets the sample's connection; registering it first makes monkeypatch remove it after.
    monkeypatch.setenv(f"AIRFLOW_CONN_{sample_conn_id(root).upper()}", "")

    code = gx_check.main(["--sample", "--scenario", "violations", "--run-date", RUN_DATE, "--no-publish"])

    out = capsys.readouterr().out
    assert code == 1
    assert f"checking sample data (violations) for {RUN_DATE} in {root}" in out
    assert "  FAILED gx curated_customers.customers.email_format:" in out
    assert f"data docs: {tmp_path / 'docs' / 'index.html'}\n" in out
