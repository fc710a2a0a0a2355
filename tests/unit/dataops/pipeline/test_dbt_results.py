"""Parsing dbt's run_results.json: model timings, test outcomes, failures named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from include.dataops.pipeline.dbt_results import (
    DbtResultsError,
    DbtRunSummary,
    is_verdict,
    load_run_results,
    parse_run_results,
)

P = "orders_analytics"


def result(unique_id: str, status: str, seconds: float = 0.1, **extra: Any) -> dict[str, Any]:
    return {"unique_id": unique_id, "status": status, "execution_time": seconds, **extra}


BUILD = {
    "metadata": {"dbt_version": "1.11.16"},
    "results": [
        result(f"model.{P}.stg_orders", "success", 0.36, message="OK"),
        result(f"model.{P}.orders", "success", 1.234567, message="OK"),
        result(f"model.{P}.orders_daily", "error", 0.2, message="Runtime Error\n  boom"),
        result(f"test.{P}.unique_orders_order_id.523ddb6ce5", "pass", failures=0),
        result(f"test.{P}.not_null_orders_order_total.d5d9d1a2f6", "fail", failures=3, message="3 rows"),
        result(f"test.{P}.accepted_values_x.a89f69f341", "error", failures=None, message="Database Error\nx"),
        result(f"unit_test.{P}.orders.test_keeps_latest", "pass", failures=0),
        result(f"test.{P}.recency_orders.510fb5183b", "warn", failures=1),
        result(f"test.{P}.downstream.ab", "skipped"),
    ],
}
MANIFEST = {
    "nodes": {
        f"test.{P}.not_null_orders_order_total.d5d9d1a2f6": {
            "name": "not_null_orders_order_total",
            "attached_node": f"model.{P}.orders",
        }
    },
    "unit_tests": {
        f"unit_test.{P}.orders.test_keeps_latest": {"name": "test_keeps_latest", "model": "orders"}
    },
}


def test_models_tests_and_failures_are_named() -> None:
    summary = parse_run_results([BUILD], MANIFEST)
    assert summary.model_durations == {"stg_orders": 0.36, "orders": 1.235}
    assert [m.name for m in summary.failed_models] == ["orders_daily"]
    assert {t.name for t in summary.failed_tests} == {"not_null_orders_order_total", "accepted_values_x"}
    lines = summary.failed_checks()
    assert lines == [
        f"dbt model orders_daily (model.{P}.orders_daily): error",
        f"dbt test not_null_orders_order_total (test.{P}.not_null_orders_order_total.d5d9d1a2f6): "
        "fail, 3 failing rows",
        f"dbt test accepted_values_x (test.{P}.accepted_values_x.a89f69f341): error, Database Error",
    ]
    assert summary.warned_checks() == ["dbt test recency_orders warned: 1 rows"]
    assert summary.counts() == {
        "models_total": 3,
        "models_passed": 2,
        "tests_total": 6,
        "tests_passed": 2,
        "tests_failed": 2,
    }
    attached = {t.name: t.attached_to for t in summary.tests}
    assert attached["not_null_orders_order_total"] == f"model.{P}.orders"
    assert attached["test_keeps_latest"] == "orders"


def test_later_documents_win_so_a_retry_replaces_a_failure() -> None:
    retry = {"results": [result(f"model.{P}.orders_daily", "success", 0.5)]}
    summary = parse_run_results([BUILD, retry])
    assert "orders_daily" not in {m.name for m in summary.failed_models}
    assert summary.model_durations["orders_daily"] == 0.5


def test_round_trip_through_dict_is_json_ready() -> None:
    summary = parse_run_results([BUILD], MANIFEST)
    again = DbtRunSummary.from_dict(json.loads(json.dumps(summary.to_dict())))
    assert again.failed_checks() == summary.failed_checks()


def test_load_from_files_and_clear_errors(tmp_path: Path) -> None:
    (tmp_path / "run_results.json").write_text(json.dumps(BUILD))
    (tmp_path / "manifest.json").write_text(json.dumps(MANIFEST))
    summary = load_run_results([tmp_path / "run_results.json"], tmp_path / "manifest.json")
    assert len(summary.failed_tests) == 2
    with pytest.raises(DbtResultsError, match=r"does not exist: rerun the dbt task"):
        load_run_results([tmp_path / "missing.json"])
    (tmp_path / "bad.json").write_text("{nope")
    with pytest.raises(DbtResultsError, match=r"bad.json is not valid JSON"):
        load_run_results([tmp_path / "bad.json"])


@pytest.mark.parametrize(
    ("status", "message", "verdict"),
    [
        ("fail", "Got 3 results, configured to fail if != 0", True),
        ("error", "Conversion Error: Could not convert string 'n/a' to DOUBLE", True),
        ("error", 'Parser Error: syntax error at or near "selec"', True),
        ("error", 'IO Error: Could not set lock on file "warehouse.duckdb": Conflicting lock', False),
        ("error", "could not connect to server: Connection refused", False),
        ("error", "An error occurred (SlowDown) when calling the GetObject operation", False),
        (
            "error",
            "HTTP Error: HTTP GET error on 'https://b.s3.amazonaws.com/x' (HTTP 503 Service Unavailable)",
            False,
        ),
        ("success", None, False),
        ("skipped", None, False),
    ],
)
def test_a_failed_test_or_sql_error_is_a_verdict_and_a_busy_warehouse_or_s3_is_not(
    status: str, message: str | None, verdict: bool
) -> None:
    assert is_verdict(status, message) is verdict


def test_a_refused_redshift_connection_is_transient_and_retried() -> None:
    """The cloud's missing warehouse: Redshift refusing the connection. dbt-redshift reports the
    error redshift_connector raises; here a real one, from a port nothing listens on."""
    import socket

    import redshift_connector

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(redshift_connector.InterfaceError) as refused:
        redshift_connector.connect(
            host="127.0.0.1", port=port, database="dev", user="u", password="p", timeout=5
        )
    assert not is_verdict("error", f"Database Error\n  {refused.value}")
