"""The GX value types: naming failures, the JSON round trip, run dates, and staying a leaf module."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from include.dataops.gx.results import GxCheck, GxCheckError, GxLocations, GxResult, iso_day


def test_result_names_failures_and_round_trips() -> None:
    result = GxResult(
        run_date="2026-11-23",
        success=False,
        checks=[
            GxCheck("s1", "a.ok", True, "ok"),
            GxCheck("s1", "a.bad", False, "observed 3"),
            GxCheck("s2", "b.ok", True, "ok"),
        ],
    )
    assert result.failed_checks() == ["gx s1.a.bad: observed 3"]
    assert result.counts() == {"suites_total": 2, "suites_passed": 1, "checks_total": 3, "checks_passed": 2}
    assert GxResult.from_dict(json.loads(json.dumps(result.to_dict()))) == result


def test_anything_but_a_result_is_a_one_line_error() -> None:
    with pytest.raises(GxCheckError, match=r"^not a GX result \(.*\): pass GxResult.to_dict\(\) output.$"):
        GxResult.from_dict({"run_date": "2026-11-23", "success": True, "checks": [], "verdict": "ok"})


def test_run_dates_are_days_and_anything_else_says_the_format() -> None:
    assert iso_day("2026-11-23T03:00:00+00:00") == "2026-11-23"
    with pytest.raises(GxCheckError, match=r"run date 'yesterday' is not a date: use YYYY-MM-DD\.$"):
        iso_day("yesterday")


def test_locations_name_the_day_under_the_validations_prefix() -> None:
    locations = GxLocations("artifacts", "2026-11-23")
    assert locations.uri(locations.result_key("orders_distribution")) == (
        "s3://artifacts/gx/validations/2026-11-23/orders_distribution.json"
    )
    assert locations.summary_key == "gx/validations/2026-11-23/summary.json"
    assert locations.docs_uri == "s3://artifacts/gx/data_docs/index.html"


def test_the_leaf_modules_import_nothing_heavy() -> None:
    """The gate, the notifier and the checkpoint actions share these types without pulling in GX."""
    probe = (
        "import sys, include.dataops.gx.results, include.dataops.gx.config;"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'great_expectations', 'pandas', 'airflow'}))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
