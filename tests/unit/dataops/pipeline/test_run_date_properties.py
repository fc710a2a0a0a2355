"""resolve_run_date, for every input: the intended day, or a refusal that names the param.

The intended day: params.run_date when given (a calendar day not after the run's own UTC day);
else the data interval's day in UTC; else, for a run with no data interval, the day before the
run's run_after in UTC, the latest complete day when it was triggered.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given
from hypothesis import strategies as st

from include.dataops.pipeline.audit import audit_schema_name
from include.dataops.pipeline.orders import RunDateError, resolve_run_date

ZONES = st.sampled_from(sorted(available_timezones())).map(ZoneInfo)
INSTANTS = st.datetimes(
    min_value=datetime(2000, 1, 2), max_value=datetime(2099, 12, 30), timezones=ZONES | st.just(UTC)
)
DAYS = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 30))


RUN_ID = "manual__2026-11-24T03:00:00+00:00"


def _expected(day: date) -> dict[str, str]:
    return {
        "run_date": day.isoformat(),
        "as_of": f"{day + timedelta(days=1)}T00:00:00",
        "audit_schema": audit_schema_name(day.isoformat(), RUN_ID),
    }


@given(day=DAYS, run_after=INSTANTS, interval=st.none() | INSTANTS)
def test_a_named_day_not_after_the_runs_day_is_the_day_processed(day, run_after, interval):
    triggered_on = run_after.astimezone(UTC).date()
    if day <= triggered_on:
        assert resolve_run_date(day.isoformat(), interval, RUN_ID, run_after) == _expected(day)
    else:
        with pytest.raises(RunDateError, match=rf"params.run_date {day} is after the run's day"):
            resolve_run_date(day.isoformat(), interval, RUN_ID, run_after)


@given(run_after=INSTANTS, ahead=st.integers(min_value=1, max_value=3000))
def test_a_future_day_is_refused_whatever_the_time_zone_of_run_after(run_after, ahead):
    future = run_after.astimezone(UTC).date() + timedelta(days=ahead)
    with pytest.raises(RunDateError, match="after the run's day"):
        resolve_run_date(future.isoformat(), None, RUN_ID, run_after)


@given(interval=INSTANTS, run_after=INSTANTS)
def test_without_a_named_day_the_data_intervals_utc_day_is_processed(interval, run_after):
    assert resolve_run_date(None, interval, RUN_ID, run_after) == _expected(interval.astimezone(UTC).date())


@given(run_after=INSTANTS)
def test_a_run_with_no_data_interval_processes_the_day_before_it_was_triggered_in_utc(run_after):
    yesterday = run_after.astimezone(UTC).date() - timedelta(days=1)
    assert resolve_run_date(None, None, RUN_ID, run_after) == _expected(yesterday)


def test_the_deploy_smokes_run_triggered_just_after_midnight_utc_processes_the_day_before():
    """The case that used to fail with 'NoneType' object has no attribute 'date'."""
    run_after = datetime(2026, 11, 24, 0, 0, 1, tzinfo=UTC)
    assert resolve_run_date(None, None, RUN_ID, run_after)["run_date"] == "2026-11-23"
    # 19:00 in Toronto is already the next day in UTC: the UTC day decides.
    toronto = datetime(2026, 11, 23, 19, 30, tzinfo=ZoneInfo("America/Toronto"))
    assert resolve_run_date(None, None, RUN_ID, toronto)["run_date"] == "2026-11-23"


def _is_calendar_day(text: str) -> bool:
    try:
        return len(text) == 10 and text.isascii() and date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


NEAR_DAYS = st.builds(
    "{:04d}-{:02d}-{:02d}".format,
    st.integers(0, 9999),
    st.integers(0, 99),
    st.integers(0, 99),
)
ISO_LOOKALIKES = st.sampled_from(
    ["20261123", "2026-W48-1", "2026-11-23T00:00", " 2026-11-23", "2026-11-23\n"]
)


@given(text=st.text() | NEAR_DAYS | ISO_LOOKALIKES)
def test_any_string_is_either_a_calendar_day_or_refused_naming_the_param(text):
    run_after = datetime(9999, 12, 31, tzinfo=UTC)  # nothing is in the future: only the form counts
    if _is_calendar_day(text):
        assert resolve_run_date(text, None, RUN_ID, run_after)["run_date"] == text
    else:
        with pytest.raises(RunDateError, match="is not a calendar day: write it as YYYY-MM-DD"):
            resolve_run_date(text, None, RUN_ID, run_after)


def test_impossible_and_lookalike_dates_are_refused():
    for text in ("2026-13-45", "2026-02-30", "2026-00-10", "", "20261123", "2026-W48-1", "yesterday"):
        with pytest.raises(RunDateError, match="is not a calendar day"):
            resolve_run_date(text, None, RUN_ID, datetime(2026, 12, 1, tzinfo=UTC))
