"""Backfill a range of days through Airflow 3's backfill API (POST /backfills), dates checked first.

The same request the Airflow UI's Backfill form sends. The range is checked here before anything
is asked of Airflow (calendar days, START <= END, not after yesterday in UTC, at most MAX_DAYS),
then Airflow's own dry run must list exactly one run per day of the range: a day it would skip
(its data interval has not ended yet, or a run of it is still queued or running) is an error
naming it, not a silent gap. Only then is the backfill created, one run at a time, in order; by
default days already run are run again (`reprocess_behavior: completed`), so a second backfill
of a range redoes it rather than skipping it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tooling.deploy.types import AirflowCall, DeployError

MAX_DAYS = 366
REPROCESS_BEHAVIORS = ("none", "failed", "completed")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def day_range(start: str, end: str, today: date | None = None) -> list[date]:
    """Every day from START to END, both included; a DeployError in one line for a bad range."""
    first, last = _day("START", start), _day("END", end)
    yesterday = (today or datetime.now(UTC).date()) - timedelta(days=1)
    if first > last:
        raise DeployError(f"START {first} is after END {last}: swap them.")
    if last > yesterday:
        raise DeployError(
            f"END {last} is after yesterday ({yesterday}, UTC): a day is loaded once it is over; "
            f"end the range at {yesterday} at the latest."
        )
    days = (last - first).days + 1
    if days > MAX_DAYS:
        raise DeployError(
            f"{first}..{last} is {days} days, more than {MAX_DAYS}: split it into smaller ranges."
        )
    return [first + timedelta(days=offset) for offset in range(days)]


def _day(name: str, text: str) -> date:
    if _ISO_DAY.fullmatch(text or ""):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise DeployError(f"{name} {text!r} is not a calendar day: write it as YYYY-MM-DD, e.g. 2026-11-23.")


def request_body(dag_id: str, days: list[date], reprocess: str = "completed") -> dict[str, Any]:
    """The POST /backfills body for these days: the logical dates (data interval starts) in the range."""
    if reprocess not in REPROCESS_BEHAVIORS:
        raise DeployError(f"reprocess {reprocess!r} is not one of {', '.join(REPROCESS_BEHAVIORS)}.")
    return {
        "dag_id": dag_id,
        "from_date": f"{days[0]}T00:00:00Z",
        "to_date": f"{days[-1]}T23:59:59Z",
        "run_backwards": False,
        "dag_run_conf": {},
        "reprocess_behavior": reprocess,
        "max_active_runs": 1,
    }


def backfill(
    call: AirflowCall, dag_id: str, days: list[date], reprocess: str = "completed"
) -> dict[str, Any]:
    """Dry-run, require one run per day, then create the backfill; returns Airflow's backfill."""
    body = request_body(dag_id, days, reprocess)
    planned = call("POST", "/backfills/dry_run", body).get("backfills", [])
    planned_days = sorted(_logical_day(run) for run in planned)
    missing = sorted(set(days) - set(planned_days))
    if missing or len(planned_days) != len(days):
        raise DeployError(
            f"Airflow would backfill {dag_id} for {[str(d) for d in planned_days]} but not for "
            f"{[str(d) for d in missing]}: their data interval has not ended (see the DAG's schedule), "
            "or a run of theirs is still queued or running; end the range earlier, or let that run finish."
        )
    created = call("POST", "/backfills", body)
    if "id" not in created:
        raise DeployError(
            f"Airflow created no backfill for {dag_id} ({created}): check the DAG exists there."
        )
    return created


def _logical_day(run: dict[str, Any]) -> date:
    return datetime.fromisoformat(run["logical_date"].replace("Z", "+00:00")).astimezone(UTC).date()
