"""The `date-not-in-future` JSON-schema format, so a DAG param can refuse a day that has not come yet.

Airflow validates a trigger's conf against the DAG's param schemas in the API server, on the
serialized DAG (SerializedParam, with jsonschema's FormatChecker), before the run is created. No
Param subclass reaches that code, and static JSON schema cannot say "not after today"; a format
registered with jsonschema in the API server can, and only a plugin's code runs there. Where the
plugin is not loaded, jsonschema ignores an unknown format, so the DAG's task checks the same rule.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from airflow.plugins_manager import AirflowPlugin
from jsonschema import FormatChecker

DATE_NOT_IN_FUTURE = "date-not-in-future"


def is_date_not_in_future(instance: object) -> bool:
    """False only for a day after today in UTC, the schedule's time zone.

    Whether the string is a calendar day at all is the built-in "date" format's job, so the
    error for 2026-13-45 says "is not a 'date'" rather than blaming the future.
    """
    if not isinstance(instance, str):
        return True
    try:
        return date.fromisoformat(instance) <= datetime.now(UTC).date()
    except ValueError:
        return True


class RunDateFormatPlugin(AirflowPlugin):
    name = "run_date_format"

    @classmethod
    def on_load(cls, *args: object, **kwargs: object) -> None:
        # FormatChecker() copies the class-level registry; the public cls_checks is a deprecated
        # alias of this very call.
        FormatChecker._cls_checks(DATE_NOT_IN_FUTURE)(is_date_not_in_future)
