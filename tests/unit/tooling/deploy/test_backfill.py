"""The cloud backfill: the range is checked before Airflow is asked, and a day Airflow would skip
is an error, not a silent gap."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.unit.tooling.deploy.test_main import run_cli
from tooling.deploy.backfill import backfill, day_range, request_body
from tooling.deploy.types import DeployError

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-11-3", "2026-11-23", "START '2026-11-3' is not a calendar day: write it as YYYY-MM-DD"),
        ("2026-11-20", "2026-02-30", "END '2026-02-30' is not a calendar day"),
        ("2026-11-23", "2026-11-20", "START 2026-11-23 is after END 2026-11-20: swap them."),
        ("2026-11-20", "2026-11-25", "END 2026-11-25 is after yesterday (2026-11-24, UTC)"),
        ("2016-11-20", "2026-11-20", "is 3653 days, more than 366: split it"),
    ],
)
def test_a_bad_range_is_refused_in_one_line(start: str, end: str, message: str) -> None:
    with pytest.raises(DeployError) as refused:
        day_range(start, end, TODAY)
    assert message in str(refused.value) and "\n" not in str(refused.value)


def test_a_range_is_every_day_in_it_both_ends_included() -> None:
    assert day_range("2026-11-22", "2026-11-24", TODAY) == [
        date(2026, 11, 22),
        date(2026, 11, 23),
        date(2026, 11, 24),
    ]


class FakeAirflow:
    """Records the requests; its dry run plans the given logical dates."""

    def __init__(self, planned: list[str]) -> None:
        self.planned = planned
        self.requests: list[tuple[str, str, dict[str, Any] | None]] = []

    def __call__(self, method: str, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
        self.requests.append((method, path, body))
        if path == "/backfills/dry_run":
            return {"backfills": [{"logical_date": d} for d in self.planned]}
        return {"id": 7, **(body or {})}


def test_the_backfill_is_created_after_a_dry_run_plans_one_run_per_day() -> None:
    days = day_range("2026-11-22", "2026-11-23", TODAY)
    airflow = FakeAirflow(["2026-11-22T03:00:00Z", "2026-11-23T03:00:00Z"])

    created = backfill(airflow, "orders_nightly", days)

    body = request_body("orders_nightly", days)
    assert airflow.requests == [("POST", "/backfills/dry_run", body), ("POST", "/backfills", body)]
    assert created["id"] == 7
    assert (body["from_date"], body["to_date"]) == ("2026-11-22T00:00:00Z", "2026-11-23T23:59:59Z")
    assert (body["max_active_runs"], body["run_backwards"], body["reprocess_behavior"]) == (
        1,
        False,
        "completed",
    )


def test_a_day_airflow_would_skip_is_named_and_nothing_is_created() -> None:
    days = day_range("2026-11-22", "2026-11-24", TODAY)
    airflow = FakeAirflow(["2026-11-22T03:00:00Z", "2026-11-23T03:00:00Z"])

    with pytest.raises(DeployError, match=r"but not for \['2026-11-24'\]: their data interval has not ended"):
        backfill(airflow, "orders_nightly", days)
    assert [path for _, path, _ in airflow.requests] == ["/backfills/dry_run"]


def test_the_cli_refuses_a_bad_range_before_any_aws_call() -> None:
    result = run_cli("backfill", "--env", "staging", "--start", "2026-11-23", "--end", "2026-11-01")

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: START 2026-11-23 is after END 2026-11-01: swap them."
    ]
