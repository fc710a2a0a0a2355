"""What the health report needs from a run beyond its SNS summary, one record per DAG run.

The report task records a published run (`build_record`): per-stage states and durations
(Airflow's task breadcrumbs for this DAG run), each dbt model's timing, freshness per table and
the inputs of the run's CloudWatch datums, so the report draws from the history exactly what
the dashboard shows. A run that never reaches the report task is recorded by the failure
callbacks (`failed_record`, include/dataops/airflow/defaults.py): its stages, failed ones included.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from include.dataops.settings import Settings

# runs/<dag>/dt=<day>/ holds a published run's summary.json (the SNS summary); each DAG run's
# record (this module) is runs/<dag>/dt=<day>/<run id>/record.json, so a rerun keeps the failure.
RUNS_PREFIX = "runs/orders_nightly"
RECORD_NAME = "record.json"
PUBLISHED, FAILED = "published", "failed"


def stage_outcomes(dag_id: str, run_id: str) -> list[dict[str, Any]]:
    """State and seconds of every finished task of this DAG run, from the Airflow execution API."""
    from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance

    return [
        {"stage": crumb["task_id"], "state": str(crumb["state"]), "seconds": crumb.get("duration")}
        for crumb in RuntimeTaskInstance.get_task_breadcrumbs(dag_id, run_id)
        if crumb.get("map_index", -1) == -1
    ]


def freshness(settings: Settings, now: datetime | None = None) -> tuple[dict[str, float], dict[str, float]]:
    """(hours since the newest row, SLA hours) per table with an SLA in dbt; unreadable tables left out."""
    from include.dataops.observability.freshness import FreshnessError, measure, slas_from_dbt
    from include.dataops.warehouse import WarehouseError, engine

    slas = slas_from_dbt()
    try:
        found = measure(
            engine(settings.warehouse.conn_id),
            settings.warehouse.schema,
            slas,
            now or datetime.now(UTC),
        )
    except (FreshnessError, WarehouseError):
        return {}, {table: sla.sla_hours for table, sla in slas.items()}
    hours = {m.table: m.hours for m in found if m.hours is not None}
    return hours, {m.table: m.sla_hours for m in found}


def build_record(
    summary: Mapping[str, Any],
    *,
    run_id: str,
    stages: list[dict[str, Any]],
    model_seconds: Mapping[str, float],
    freshness_hours: Mapping[str, float],
    freshness_sla_hours: Mapping[str, float],
    manifest: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """One run's history entry; `metric_inputs` are build_metric_data's keyword arguments."""
    gate = summary.get("gate") or {}
    return {
        "run_date": summary.get("run_date"),
        "run_id": run_id,
        "status": PUBLISHED,
        "recorded_at": datetime.now(UTC).isoformat(),
        "stages": stages,
        "freshness_sla_hours": dict(freshness_sla_hours),
        "quarantined_by_reason": {
            name: counts.get("quarantined_by_reason", {})
            for name, counts in (summary.get("datasets") or {}).items()
        },
        "gate": gate,
        "warnings": list(summary.get("warnings") or []),
        "metric_inputs": {
            "manifest": {"datasets": dict((manifest or {}).get("datasets") or {})},
            "stage_durations": {s["stage"]: s["seconds"] for s in stages if s["seconds"] is not None},
            "mart_rows": dict(summary.get("mart_rows") or {}),
            "dbt_durations": dict(model_seconds),
            "freshness_hours": dict(freshness_hours),
            "quality_gate_passed": gate.get("passed") if gate else None,
            "pipeline_succeeded": True,
        },
    }


def failed_record(
    run_date: str,
    *,
    run_id: str,
    stages: list[dict[str, Any]],
    failure: str,
    freshness_sla_hours: Mapping[str, float],
    gate_failed: bool = False,
) -> dict[str, Any]:
    """A run that failed before its report: the stages it got through and the one that broke.

    Its metric inputs hold the stage durations only: a failed run publishes no volumes, mart
    sizes or PipelineSuccess, and the report draws what CloudWatch holds.
    """
    return {
        "run_date": run_date,
        "run_id": run_id,
        "status": FAILED,
        "recorded_at": datetime.now(UTC).isoformat(),
        "stages": stages,
        "freshness_sla_hours": dict(freshness_sla_hours),
        "quarantined_by_reason": {},
        "gate": {"passed": False} if gate_failed else {},
        "warnings": [f"run failed: {failure}"],
        "metric_inputs": {
            "stage_durations": {s["stage"]: s["seconds"] for s in stages if s["seconds"] is not None},
        },
    }
