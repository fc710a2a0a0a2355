"""What every DAG in this repository shares: owner, retries, and the failure alert.

Reading the settings file here happens at parse time, but it is a small file shipped beside the
DAGs: no network, no Variables, no Connections (tests/dags proves it).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from airflow.providers.amazon.aws.notifications.sns import SnsNotifier

from include.dataops.settings import load_settings

OWNER = "data-platform"

FAILURE_MESSAGE = (
    "FAILED: {{ dag.dag_id }}.{{ ti.task_id }} (run {{ run_id }}, try {{ ti.try_number }}).\n"
    "{{ exception | default('') | string | truncate(600) }}\n"
    "Log: {{ ti.log_url }}"
)


def failure_notifier() -> SnsNotifier:
    """An SNS alert to this environment's alerts topic, naming the task and the error."""
    settings = load_settings()
    return SnsNotifier(
        aws_conn_id=settings.aws_conn_id,
        region_name=settings.aws_region,
        target_arn=settings.alerts_topic_arn,
        subject="[{{ dag.dag_id }}] task failed: {{ ti.task_id }}",
        message=FAILURE_MESSAGE,
    )


def default_args(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "owner": OWNER,
        "retries": 2,
        "retry_delay": timedelta(minutes=2),
        "retry_exponential_backoff": True,
        "on_failure_callback": failure_notifier(),
    }
    args.update(overrides)
    return args
