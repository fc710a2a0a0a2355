"""orders_nightly's run_date param, validated as the API server validates a trigger's conf.

The API server never sees the DAG file: it holds the serialized DAG, merges the trigger's conf
into its params and validates them (SerializedDAG.create_dagrun) before any run exists, with the
plugins loaded. This does the same with the real serialized DAG and the real plugins folder, and
holds it to the promise: every run_date either runs the intended day or is refused at trigger.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from include.dataops.pipeline.orders import resolve_run_date

DAG_ID = "orders_nightly"
PROPERTY = settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def server_params(dagbag):
    """The params of the DAG as the API server deserializes it, with the plugins loaded."""
    from airflow import plugins_manager
    from airflow.serialization.serialized_objects import DagSerialization

    plugins_manager.ensure_plugins_loaded()
    serialized = DagSerialization.from_dict(DagSerialization.to_dict(dagbag.dags[DAG_ID]))
    return serialized.params


def _accepted(params, run_date: Any) -> bool:
    try:
        params.deep_merge({"run_date": run_date}).validate()
    except ValueError as refused:
        assert str(refused).startswith("Invalid input for param run_date: "), refused
        return False
    return True


RUN_DATES = st.one_of(
    st.none(),
    st.dates(min_value=date(1970, 1, 1), max_value=date(2199, 12, 31)).map(str),
    st.builds("{:04d}-{:02d}-{:02d}".format, st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99)),
    st.text(),
    st.integers(),
    st.booleans(),
    st.lists(st.text(), max_size=2),
)
INTERVALS = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2199, 12, 31), timezones=st.just(UTC)
)


def _is_day_not_after(text: Any, today: date) -> bool:
    """YYYY-MM-DD exactly: fromisoformat alone also reads 0001100100 (basic format) as a day."""
    try:
        day = date.fromisoformat(text)
    except (TypeError, ValueError):
        return False
    return day.isoformat() == text and day <= today


@PROPERTY
@given(run_date=RUN_DATES, interval=st.none() | INTERVALS)
def test_every_run_date_runs_the_intended_day_or_is_refused_at_trigger(server_params, run_date, interval):
    now = datetime.now(UTC)
    runnable = run_date is None or _is_day_not_after(run_date, now.date())
    assert _accepted(server_params, run_date) == runnable
    if not runnable:
        return
    resolved = resolve_run_date(run_date, interval, "manual__1", now)["run_date"]
    if run_date is not None:
        assert resolved == run_date
    elif interval is not None:
        assert resolved == str(interval.date())
    else:
        assert resolved == str(now.date() - timedelta(days=1))


def test_past_days_and_today_are_accepted_and_the_rest_refused(server_params):
    today = datetime.now(UTC).date()
    for good in (None, str(today), str(today - timedelta(days=1)), "2024-02-29"):
        assert _accepted(server_params, good), good
    for bad in (
        "2026-13-45",
        "2025-02-29",
        "20261123",
        "",
        "yesterday",
        20261123,
        str(today + timedelta(days=1)),
    ):
        assert not _accepted(server_params, bad), bad


def test_the_refusals_name_what_was_wrong(server_params):
    tomorrow = str(datetime.now(UTC).date() + timedelta(days=1))
    with pytest.raises(ValueError, match="Invalid input for param run_date: '2026-13-45' is not a 'date'"):
        server_params.deep_merge({"run_date": "2026-13-45"}).validate()
    with pytest.raises(ValueError, match=f"'{tomorrow}' is not a 'date-not-in-future'"):
        server_params.deep_merge({"run_date": tomorrow}).validate()


def test_the_trigger_form_shows_run_date_as_a_date_field(dagbag):
    """The UI renders a date picker for a string param with format "date"."""
    schema = dagbag.dags[DAG_ID].params.get_param("run_date").schema
    assert schema["format"] == "date" and "null" in schema["type"]
