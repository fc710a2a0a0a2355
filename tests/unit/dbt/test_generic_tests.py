"""The project's own generic tests (accepted_range, recency, expression_is_true) fail on a
crafted violation and pass on clean data.

A throwaway dbt project holds the shipped test macros (copied from dbt/, not rewritten) and
seeds: a clean table and a violating one per rule. One `dbt build` runs every case.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tooling.dbt.fixtures import AS_OF, DBT_EXECUTABLE, DBT_PROJECT_DIR, run_statuses

pytestmark = pytest.mark.integration

SEEDS = {
    "amounts_clean": "amount\n0.01\n5.00\n999999.99\n",
    "amounts_low": "amount\n0.00\n5.00\n",
    "amounts_high": "amount\n5.00\n1000000.00\n",
    # AS_OF is 2026-11-24 00:00 UTC, so 26 hours back is 2026-11-22 22:00.
    "events_fresh": "created_at\n2026-11-20 08:00:00\n2026-11-22 22:00:00\n",
    "events_stale": "created_at\n2026-11-20 08:00:00\n2026-11-22 21:59:59\n",
    "events_empty": "created_at\n",
    "daily_clean": "order_count,cancelled_count\n1,0\n3,3\n",
    "daily_bad": "order_count,cancelled_count\n0,0\n2,5\n",
}
SEED_TYPES = {
    "amounts_clean": {"amount": "numeric(12, 2)"},
    "amounts_low": {"amount": "numeric(12, 2)"},
    "amounts_high": {"amount": "numeric(12, 2)"},
    "events_fresh": {"created_at": "timestamp"},
    "events_stale": {"created_at": "timestamp"},
    "events_empty": {"created_at": "timestamp"},
}


def _range(name: str, **arguments: object) -> dict[str, object]:
    return {
        "accepted_range": {
            "name": name,
            "arguments": {"min_value": 0.01, "max_value": 999999.99, **arguments},
        }
    }


def _recency(name: str, **arguments: object) -> dict[str, object]:
    args = {"datepart": "hour", "field": "created_at", "interval": 26, **arguments}
    return {"recency": {"name": name, "arguments": args}}


def _expression(name: str, expression: str) -> dict[str, object]:
    return {"expression_is_true": {"name": name, "arguments": {"expression": expression}}}


# test name -> (seed, column or None, test definition, expected status)
CASES: dict[str, tuple[str, str | None, dict[str, object], str]] = {
    "range_clean_passes": ("amounts_clean", "amount", _range("range_clean_passes"), "pass"),
    "range_below_min_fails": ("amounts_low", "amount", _range("range_below_min_fails"), "fail"),
    "range_above_max_fails": ("amounts_high", "amount", _range("range_above_max_fails"), "fail"),
    "range_exclusive_bounds_fail": (
        "amounts_clean",
        "amount",
        _range("range_exclusive_bounds_fail", inclusive=False),
        "fail",
    ),
    "range_only_min_passes": (
        "amounts_high",
        "amount",
        {"accepted_range": {"name": "range_only_min_passes", "arguments": {"min_value": 0}}},
        "pass",
    ),
    "range_where_excludes_violation": (
        "amounts_low",
        "amount",
        {
            "accepted_range": {
                "name": "range_where_excludes_violation",
                "arguments": {"min_value": 0.01},
                "config": {"where": "amount > 0"},
            }
        },
        "pass",
    ),
    "recency_fresh_passes": ("events_fresh", None, _recency("recency_fresh_passes"), "pass"),
    "recency_stale_fails": ("events_stale", None, _recency("recency_stale_fails"), "fail"),
    "recency_empty_fails": ("events_empty", None, _recency("recency_empty_fails"), "fail"),
    "recency_by_day_passes": (
        "events_fresh",
        None,
        _recency("recency_by_day_passes", datepart="day", interval=2, ignore_time_component=True),
        "pass",
    ),
    "recency_by_day_fails": (
        "events_stale",
        None,
        _recency("recency_by_day_fails", datepart="day", interval=1, ignore_time_component=True),
        "fail",
    ),
    "expression_clean_passes": (
        "daily_clean",
        None,
        _expression("expression_clean_passes", "order_count > 0 and cancelled_count <= order_count"),
        "pass",
    ),
    "expression_empty_day_fails": (
        "daily_bad",
        None,
        _expression("expression_empty_day_fails", "order_count > 0"),
        "fail",
    ),
    "expression_column_fails": (
        "daily_bad",
        "order_count",
        _expression("expression_column_fails", ">= cancelled_count"),
        "fail",
    ),
    "expression_column_passes": (
        "daily_clean",
        "order_count",
        _expression("expression_column_passes", ">= cancelled_count"),
        "pass",
    ),
}


def _write_harness(root: Path) -> None:
    shutil.copytree(DBT_PROJECT_DIR / "tests" / "generic", root / "tests" / "generic")
    shutil.copytree(DBT_PROJECT_DIR / "macros", root / "macros")
    (root / "seeds").mkdir()
    for name, text in SEEDS.items():
        (root / "seeds" / f"{name}.csv").write_text(text)
    (root / "dbt_project.yml").write_text(
        json.dumps(
            {
                "name": "generic_tests_harness",
                "version": "1.0.0",
                "profile": "harness",
                "flags": {"require_generic_test_arguments_property": True},
                "seeds": {
                    "generic_tests_harness": {
                        name: {"+column_types": types} for name, types in SEED_TYPES.items()
                    }
                },
            }
        )
    )
    (root / "profiles.yml").write_text(
        json.dumps(
            {
                "harness": {
                    "target": "local",
                    "outputs": {
                        "local": {
                            "type": "duckdb",
                            "path": str(root / "harness.duckdb"),
                            "schema": "main",
                            "threads": 2,
                        }
                    },
                }
            }
        )
    )
    seeds: dict[str, dict[str, object]] = {}
    for seed, column, definition, _ in CASES.values():
        entry = seeds.setdefault(seed, {"name": seed, "data_tests": [], "columns": {}})
        if column is None:
            entry["data_tests"].append(definition)
        else:
            entry["columns"].setdefault(column, []).append(definition)
    properties = [
        {
            "name": entry["name"],
            "data_tests": entry["data_tests"],
            "columns": [{"name": name, "data_tests": tests} for name, tests in entry["columns"].items()],
        }
        for entry in seeds.values()
    ]
    (root / "seeds" / "_seeds.yml").write_text(json.dumps({"version": 2, "seeds": properties}))


def _dbt(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(DBT_EXECUTABLE), *args, "--project-dir", str(root), "--profiles-dir", str(root)],
        capture_output=True,
        text=True,
        env={**os.environ, "DO_NOT_TRACK": "1"},
        check=False,
    )


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("generic_tests")
    _write_harness(root)
    done = _dbt(root, "build", "--vars", json.dumps({"as_of": AS_OF}))
    assert (root / "target" / "run_results.json").exists(), done.stdout + done.stderr
    return root, run_statuses(root / "target")


@pytest.mark.parametrize("case", sorted(CASES))
def test_generic_test_outcome(harness, case: str) -> None:
    _, statuses = harness
    expected = CASES[case][3]
    assert statuses.get(case) == expected, f"{case}: {statuses.get(case)} (expected {expected})"


def test_every_case_ran(harness) -> None:
    _, statuses = harness
    assert set(CASES) <= set(statuses)
    assert all(status == "success" for name, status in statuses.items() if name not in CASES)


def test_bad_as_of_is_a_one_line_error(harness) -> None:
    root, _ = harness
    done = _dbt(root, "compile", "--select", "recency_fresh_passes", "--vars", '{"as_of": "yesterday"}')
    assert done.returncode != 0
    assert 'error: var as_of is "yesterday", not an ISO-8601 timestamp' in done.stdout
