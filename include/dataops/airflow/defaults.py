"""What every DAG in this repository shares: owner, retries, timeouts, the alert, the run history.

The settings file is read at parse time: a small file shipped beside the DAGs, read once per
process, with no network, Variables or Connections (tests/dags proves it).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from airflow.sdk import Context

from include.dataops.settings import load_settings

OWNER = "data-platform"
log = logging.getLogger(__name__)

# A page (notify.py's header, as a template): severity, what broke, the runbook entry in doc_md.
FAILURE_MESSAGE = (
    "Severity: PAGE\n"
    "What broke: task {{ ti.task_id }} of {{ dag.dag_id }} failed "
    "(run {{ run_id }}, try {{ ti.try_number }})\n"
    "Runbook: {{ dag.dag_id }} Docs (doc_md), entry {{ ti.task_id.split('.')[0] }}\n\n"
    # A task whose process was lost (SIGKILL, a dead worker) is failed by the scheduler's
    # heartbeat check, whose callback carries no exception: the page says what that means.
    "{{ (exception | default(none) or 'No error reached this callback: if the task log ends"
    " abruptly, its process was lost (killed, or its worker died).') | string | truncate(600) }}\n"
    "Log: {{ ti.log_url }}"
)
RUN_FAILURE_MESSAGE = (
    "Severity: PAGE\n"
    "What broke: run {{ run_id }} of {{ dag.dag_id }} failed: {{ reason | default('failed') }}\n"
    "Runbook: {{ dag.dag_id }} Docs (doc_md), entry run timed out\n\n"
    "Log: the run's grid view in the Airflow UI"
)


def notify_failure(context: Context) -> None:
    """Page this environment's alerts topic, naming the task and the error, and record the incident.

    One page per incident: a gate verdict (the gate task's AirflowFailException) was paged by the
    gate itself with every failed check (quality_gate.py), so only the incident is recorded.
    `airflow dags test` gives callbacks no exception; a failed gate task there counts as a verdict.
    """
    from airflow.sdk.exceptions import AirflowFailException

    from include.dataops.observability.run_history import GATE_FAILED, RUN_FAILED

    settings = load_settings()
    ti, error = context["ti"], context.get("exception")
    is_gate = ti.task_id == settings.monitoring.gate_task
    if not (is_gate and (error is None or isinstance(error, AirflowFailException))):
        _page(context, "[PAGE] [{{ dag.dag_id }}] task failed: {{ ti.task_id }}", FAILURE_MESSAGE)
    record_run_event(context, GATE_FAILED if is_gate else RUN_FAILED)


def _page(context: Context, subject: str, message: str) -> None:
    """Render and send a page through the amazon provider's SnsNotifier.

    Built when a task fails, not at parse time: importing the provider costs every DAG file a
    few tenths of a second. Rendered first (a template error is a bug: it raises), then sent: a
    page SNS refuses is logged with its payload and swallowed, since the task's own failure is
    what the run reports.
    """
    from airflow.providers.amazon.aws.notifications.sns import SnsNotifier

    from include.dataops.observability.notify import log_unsent

    settings = load_settings()
    notifier = SnsNotifier(
        aws_conn_id=settings.aws_conn_id,
        region_name=settings.aws_region,
        target_arn=settings.alerts_topic_arn,
        subject=subject,
        message=message,
    )
    notifier.render_template_fields(context)
    try:
        notifier.notify(context)
    except Exception as err:
        log_unsent(settings.alerts_topic_arn, notifier.subject, notifier.message, err)


def record_stage_duration(context: Context) -> None:
    """Publish the task's duration as the StageDuration metric (dimension Stage = task id);
    the publish task's success also ends any data incident in the run history.

    Best effort: a metrics outage must not fail a task whose work is done, so it only logs.
    """
    from datetime import UTC, datetime

    from include.dataops.observability.metrics import publish_run_metrics
    from include.dataops.observability.run_history import PUBLISHED

    ti = context["ti"]
    settings = load_settings()
    try:
        seconds = (datetime.now(UTC) - ti.start_date).total_seconds()
        publish_run_metrics(settings, stage_durations={ti.task_id: seconds})
    except Exception as err:
        log.warning("StageDuration for %s not published: %s", ti.task_id, err)
    if ti.task_id == settings.monitoring.publish_task:
        record_run_event(context, PUBLISHED)


def record_run_event(context: Context, kind: str) -> None:
    """Append a run event (failed run, failed gate, publish) to the run history in the artifacts
    bucket, then recompute and publish the DORA metrics, which change with every such event.

    Best effort: the alert has gone out or the data is published either way; it only logs.
    """
    from datetime import UTC, datetime

    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    from include.dataops.observability import dora, run_history
    from include.dataops.observability.metrics import cloudwatch_client
    from include.dataops.observability.run_history import PUBLISHED

    settings, now = load_settings(), datetime.now(UTC)
    ti, dag_run = context.get("ti"), context.get("dag_run")
    dag_id = ti.dag_id if ti else getattr(dag_run, "dag_id", "")
    run_id = ti.run_id if ti else getattr(dag_run, "run_id", "")
    detail = ti.task_id if ti else str(context.get("reason") or "run")
    event = run_history.RunEvent(settings.environment, kind, now.isoformat(), dag_id, run_id, detail=detail)
    try:
        s3 = S3Hook(aws_conn_id=settings.aws_conn_id, region_name=settings.aws_region).get_conn()
        run_history.append(s3, settings.buckets.artifacts, event)
        window = settings.monitoring.change_failure_window_hours
        metrics = dora.collect(s3, settings.buckets.artifacts, settings.environment, now, 30, window)
        dora.publish(
            cloudwatch_client(settings), settings.cloudwatch.namespace, metrics, settings.environment, now
        )
    except Exception as err:
        log.warning("Run event %s (%s) not (fully) recorded: %s", kind, detail, err)
    if kind != PUBLISHED:
        _record_failed_run(context, kind, dag_id, run_id, detail)


def _record_failed_run(context: Context, kind: str, dag_id: str, run_id: str, failed_stage: str) -> None:
    """The failed run's record in the health report's history, and the page rebuilt (best effort).

    The run's day is what resolve_run_date returned; before (or without) it, the run's own day.
    """
    from datetime import UTC, datetime

    from include.dataops.observability.report import store
    from include.dataops.observability.run_history import GATE_FAILED

    ti, dag_run = context.get("ti"), context.get("dag_run")
    try:
        pull = getattr(ti, "xcom_pull", None)
        resolved = pull(task_ids="resolve_run_date") if pull else None
        run_after = getattr(dag_run, "run_after", None) or datetime.now(UTC)
        run_date = (resolved or {}).get("run_date") or run_after.date().isoformat()
        started = getattr(ti, "start_date", None)
        store.record_failed_run(
            load_settings(),
            dag_id=dag_id,
            run_id=run_id,
            run_date=run_date,
            failed_stage=failed_stage,
            seconds=(datetime.now(UTC) - started).total_seconds() if started else None,
            gate_failed=kind == GATE_FAILED,
        )
    except Exception as err:
        log.warning("Failed run %s not recorded in the health report: %s", run_id, err)


def notify_run_failure(context: Context) -> None:
    """The DAG-level failure callback: a run that hit its dagrun_timeout has its running tasks
    skipped, so no task callback fires; this sends the page and records the incident instead.
    A run failed by a task has been paged by that task's callback already.
    """
    if context.get("reason") == "task_failure":
        return
    from include.dataops.observability.run_history import RUN_FAILED

    _page(
        context, "[PAGE] [{{ dag.dag_id }}] run failed: {{ reason | default('failed') }}", RUN_FAILURE_MESSAGE
    )
    record_run_event(context, RUN_FAILED)


def dag_args() -> dict[str, Any]:
    """What every DAG passes to @dag: the bound on a whole run and the alert when it is hit.

    dagrun_timeout rather than a DeadlineAlert: in Airflow 3.2.1 a deadline only calls back,
    while the timeout also stops the run (the scheduler fails it and skips its running tasks).
    """
    minutes = load_settings().monitoring.dagrun_timeout_minutes
    return {"dagrun_timeout": timedelta(minutes=minutes), "on_failure_callback": notify_run_failure}


def default_args(**overrides: Any) -> dict[str, Any]:
    """Owner, retries, the timeout and the callbacks; counts, delays and bounds are settings."""
    settings = load_settings()
    retries = settings.retries
    args: dict[str, Any] = {
        "owner": OWNER,
        "execution_timeout": timedelta(minutes=settings.monitoring.task_timeout_minutes),
        "retries": retries.count,
        "retry_delay": timedelta(seconds=retries.delay_seconds),
        "retry_exponential_backoff": True,
        "on_failure_callback": notify_failure,
        "on_success_callback": record_stage_duration,
    }
    args.update(overrides)
    return args
