"""The pipeline health report: the run history in the artifacts bucket, drawn as one HTML page.

After each run the report task records the run (run_record) and rewrites the page at REPORT_KEY,
whose S3 link the success notice carries. `make report` (tooling/report.py) builds the same page
from the same history into .local/report/.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from include.dataops.observability.run_record import RECORD_NAME, RUNS_PREFIX
from include.dataops.settings import Settings

REPORT_KEY = "reports/orders_nightly/index.html"
HISTORY_RUNS = 30


def report_uri(settings: Settings) -> str:
    return f"s3://{settings.buckets.artifacts}/{REPORT_KEY}"


def save_record(settings: Settings, record: Mapping[str, Any]) -> str:
    """Keep one DAG run's record under its day (a second failure of the same run replaces it)."""
    key = f"{RUNS_PREFIX}/dt={record['run_date']}/{record['run_id']}/{RECORD_NAME}"
    _s3(settings).load_string(
        json.dumps(record, default=str, indent=2),
        key=key,
        bucket_name=settings.buckets.artifacts,
        replace=True,
    )
    return f"s3://{settings.buckets.artifacts}/{key}"


def load_history(settings: Settings, runs: int = HISTORY_RUNS) -> list[dict[str, Any]]:
    """The last `runs` recorded runs of the last days, oldest first (by day, then when recorded)."""
    s3 = _s3(settings)
    bucket = settings.buckets.artifacts
    keys = sorted(k for k in s3.list_keys(bucket, prefix=f"{RUNS_PREFIX}/") or [] if k.endswith(RECORD_NAME))
    records = [json.loads(s3.read_key(key, bucket)) for key in keys[-runs:]]
    return sorted(records, key=lambda r: (r["run_date"], r.get("recorded_at", "")))


def deployment_dora(settings: Settings, days: int = 30) -> dict[str, Any] | None:
    """DORA from the deployment log and the run history, or None while neither has an event."""
    from datetime import UTC, datetime

    from include.dataops.observability import dora

    metrics = dora.collect(
        _s3(settings).get_conn(),
        settings.buckets.artifacts,
        settings.environment,
        datetime.now(UTC),
        days,
        settings.monitoring.change_failure_window_hours,
    )
    has_events = metrics["deployments"] or metrics["incidents_restored"] or metrics["incident_open_since"]
    return metrics if has_events else None


def build_report(settings: Settings) -> str:
    from include.dataops.observability.report.page import build_page

    return build_page(
        load_history(settings), environment=settings.environment, dora=deployment_dora(settings)
    )


def record_failed_run(
    settings: Settings,
    *,
    dag_id: str,
    run_id: str,
    run_date: str,
    failed_stage: str,
    seconds: float | None,
    gate_failed: bool,
) -> str:
    """Record a run that failed before its report task and rebuild the page; returns its link.

    The stages come from Airflow's task breadcrumbs (finished tasks only, so the failing one is
    added here); a DAG-level callback has no execution API, and then records the failure alone.
    """
    from include.dataops.observability import run_record
    from include.dataops.observability.freshness import slas_from_dbt

    try:
        stages = [s for s in run_record.stage_outcomes(dag_id, run_id) if s["stage"] != failed_stage]
    except Exception:
        stages = []
    stages.append({"stage": failed_stage, "state": "failed", "seconds": seconds})
    record = run_record.failed_record(
        run_date,
        run_id=run_id,
        stages=stages,
        failure=failed_stage,
        freshness_sla_hours={table: sla.sla_hours for table, sla in slas_from_dbt().items()},
        gate_failed=gate_failed,
    )
    save_record(settings, record)
    return publish_report(settings)


def publish_report(settings: Settings) -> str:
    """Rewrite the page in the artifacts bucket from the history; returns its S3 link."""
    _s3(settings).load_string(
        build_report(settings), key=REPORT_KEY, bucket_name=settings.buckets.artifacts, replace=True
    )
    return report_uri(settings)


def _s3(settings: Settings) -> Any:
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    return S3Hook(aws_conn_id=settings.aws_conn_id)
