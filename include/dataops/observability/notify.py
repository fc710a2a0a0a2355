"""SNS messages, routed by severity: pages to the alerts topic, notices to the notifications topic.

A page needs someone now (a failed run or task, a failed gate, stale data, a dbt model far past
its baseline); a notice is for the record (the success summary, slow but finished). Every
message starts with its severity, what broke and the runbook section: the entry of that name in
the DAG's Docs (doc_md). Publishing goes through the amazon provider's SnsHook (the DAGs' failure
callbacks use its SnsNotifier with the same header, include/dataops/airflow/defaults.py).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from include.dataops.settings import Settings, load_settings

SUBJECT_LIMIT = 100  # SNS rejects longer subjects
PAGE, NOTICE = "PAGE", "NOTICE"
RUNBOOK_DAG = "orders_nightly"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SnsMessage:
    subject: str
    message: str


def header(severity: str, what: str, runbook: str, dag_id: str = RUNBOOK_DAG) -> str:
    """The first lines of every message: severity, what broke, where the runbook says what to do."""
    return f"Severity: {severity}\nWhat broke: {what}\nRunbook: {dag_id} Docs (doc_md), entry {runbook}\n"


def send_page(settings: Settings, what: str, runbook: str, detail: str = "") -> str:
    """Page: publish to the alerts topic; returns the SNS message id."""
    message = header(PAGE, what, runbook) + (f"\n{detail}" if detail else "")
    return _publish(settings, settings.alerts_topic_arn, f"[{PAGE}] [{settings.environment}] {what}", message)


def send_alert(settings: Settings, subject: str, message: str, runbook: str = "quality_gate") -> str:
    """A page with its own subject (the quality gate's): to the alerts topic; returns the message id."""
    body = header(PAGE, " ".join(subject.split()), runbook) + f"\n{message}"
    return _publish(settings, settings.alerts_topic_arn, f"[{PAGE}] {subject}", body)


def send_run_summary(settings: Settings, summary: Mapping[str, Any]) -> str:
    """A notice: a successful run's summary to the notifications topic; returns the SNS message id."""
    subject, message = format_summary(summary)
    body = header(NOTICE, "nothing: the run published", "report") + f"\n{message}"
    return _publish(settings, settings.notifications_topic_arn, f"[{NOTICE}] {subject}", body)


def build_run_summary(
    run_date: str,
    environment: str,
    *,
    manifest: Mapping[str, Any] | None = None,
    dbt: Mapping[str, int] | None = None,
    gx: Mapping[str, Any] | None = None,
    gate: Mapping[str, Any] | None = None,
    mart_rows: Mapping[str, int] | None = None,
    docs: Mapping[str, str] | None = None,
    warnings: list[str] | None = None,
) -> dict[str, Any]:
    """Collect what a run did into one JSON-ready dict (XCom-safe), the input of the summary message.

    `manifest` is the Glue run manifest, `dbt` DbtRunSummary.counts(), `gx` GxResult.to_dict() or
    its counts, `gate` the quality gate's summary, `docs` named documentation locations.
    """
    datasets = {}
    for name, entry in sorted(((manifest or {}).get("datasets") or {}).items()):
        datasets[name] = {
            "read": entry.get("read", 0),
            "written": entry.get("written", 0),
            "deduplicated": entry.get("deduplicated", 0),
            "quarantined": entry.get("quarantined_total", 0),
            "quarantined_by_reason": dict(sorted((entry.get("quarantined") or {}).items())),
        }
    gx_counts = dict(gx or {})
    if "checks" in gx_counts:
        from include.dataops.gx.results import GxResult

        result = GxResult.from_dict(gx_counts)
        gx_counts = {"success": result.success, **result.counts()}
        docs = {"gx_data_docs": result.docs_uri, **(docs or {})} if result.docs_uri else docs
    return {
        "run_date": run_date,
        "environment": environment,
        "datasets": datasets,
        "mart_rows": dict(mart_rows or {}),
        "dbt": dict(dbt or {}),
        "gx": gx_counts,
        "gate": dict(gate or {}),
        "docs": dict(docs or {}),
        "warnings": list(warnings or []),
    }


def format_summary(summary: Mapping[str, Any]) -> tuple[str, str]:
    """Subject and plain-text body: what a reader of the email needs, in a few lines."""
    run_date, env = summary.get("run_date", "?"), summary.get("environment", "?")
    lines = [f"Orders pipeline {run_date} ({env}): published."]
    for name, counts in (summary.get("datasets") or {}).items():
        lines.append(
            f"{name}: read {counts['read']}, written {counts['written']}, "
            f"deduplicated {counts['deduplicated']}, quarantined {counts['quarantined']}"
        )
        for reason, count in (counts.get("quarantined_by_reason") or {}).items():
            lines.append(f"  quarantined {reason}: {count}")
    if summary.get("mart_rows"):
        lines.append("marts: " + ", ".join(f"{t} {n} rows" for t, n in summary["mart_rows"].items()))
    dbt = summary.get("dbt") or {}
    if dbt:
        lines.append(
            f"dbt: {dbt.get('models_passed', 0)}/{dbt.get('models_total', 0)} models, "
            f"{dbt.get('tests_passed', 0)}/{dbt.get('tests_total', 0)} tests passed"
        )
    gx = summary.get("gx") or {}
    if gx:
        verdict = "passed" if gx.get("success") else "FAILED"
        lines.append(
            f"Great Expectations: {verdict}, {gx.get('checks_passed', 0)}/{gx.get('checks_total', 0)} "
            f"checks in {gx.get('suites_total', 0)} suites"
        )
    gate = summary.get("gate") or {}
    if gate:
        verdict = "passed" if gate.get("passed") else "FAILED"
        lines.append(f"quality gate: {verdict}, {gate.get('checks_passed', 0)} checks")
    for label, location in (summary.get("docs") or {}).items():
        lines.append(f"{label}: {location}")
    lines += [f"WARNING: {warning}" for warning in summary.get("warnings") or []]
    return f"[{env}] orders {run_date}: published", "\n".join(lines)


def report_run(
    run_date: str,
    *,
    settings: Settings | None = None,
    manifest: Mapping[str, Any] | None = None,
    dbt: Any = None,
    gx: Any = None,
    gate: Mapping[str, Any] | None = None,
    stage_durations: Mapping[str, float] | None = None,
    marts: tuple[str, ...] = ("orders", "orders_daily", "customers"),
    docs: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The DAG's last task: CloudWatch metrics (best effort: the data is already published), then
    the SNS summary. `dbt` is a DbtRunSummary or its dict, `gx` a GxResult or its dict.
    Returns the summary that was sent.
    """
    from include.dataops.observability import metrics
    from include.dataops.pipeline.dbt_results import DbtRunSummary

    settings = settings or load_settings()
    dbt_summary = dbt if isinstance(dbt, DbtRunSummary) or dbt is None else DbtRunSummary.from_dict(dbt)
    gx_dict = gx.to_dict() if hasattr(gx, "to_dict") else gx
    warnings: list[str] = dbt_summary.warned_checks() if dbt_summary else []
    mart_rows: dict[str, int] = {}
    try:
        mart_rows = metrics.mart_row_counts(settings, marts)
        # dbt model durations and their regressions are the dbt_timing task's (dbt_timing.py);
        # DataFreshness is the freshness Lambda's (lambdas/freshness), measured from outside.
        metrics.publish_run_metrics(
            settings,
            manifest=manifest,
            stage_durations=stage_durations,
            mart_rows=mart_rows,
            pipeline_succeeded=True,
        )
    except Exception as exc:
        warnings.append(f"metrics not (all) published: {str(exc).splitlines()[0]}")
    summary = build_run_summary(
        run_date,
        settings.environment,
        manifest=manifest,
        dbt=dbt_summary.counts() if dbt_summary else None,
        gx=gx_dict,
        gate=gate,
        mart_rows=mart_rows,
        docs=docs,
        warnings=warnings,
    )
    send_run_summary(settings, summary)
    return summary


def log_unsent(topic_arn: str, subject: str | None, message: str | None, error: BaseException) -> None:
    """A message SNS did not take: the error, then the payload that was due, one line each (JSON
    strings), so the task log holds what on-call would have read."""
    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    log.error("SNS publish to %s failed, message not sent: %s", topic_arn, reason)
    log.error("unsent SNS subject: %s", json.dumps(subject))
    log.error("unsent SNS message: %s", json.dumps(message))


def _publish(settings: Settings, topic_arn: str, subject: str, message: str) -> str:
    from airflow.providers.amazon.aws.hooks.sns import SnsHook

    hook = SnsHook(aws_conn_id=settings.aws_conn_id, region_name=settings.aws_region)
    try:
        response = hook.publish_to_target(target_arn=topic_arn, message=message, subject=_subject(subject))
    except Exception as err:
        log_unsent(topic_arn, _subject(subject), message, err)
        raise
    return response["MessageId"]


def _subject(text: str) -> str:
    """SNS subjects: one line, printable ASCII, at most 100 characters."""
    flat = " ".join(text.split()).encode("ascii", "replace").decode()
    return flat if len(flat) <= SUBJECT_LIMIT else flat[: SUBJECT_LIMIT - 3] + "..."
