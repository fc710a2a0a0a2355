"""The nightly orders pipeline's steps, as plain functions the DAG wires together.

Each function is what one task does, written so a pytest can call it without a scheduler.
The DAG file (dags/orders_nightly.py) holds only the wiring.
"""

from __future__ import annotations

import contextlib
import logging
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fsspec.core import url_to_fs

from include.dataops.observability.run_record import RUNS_PREFIX
from include.dataops.pipeline.audit import Marts, audit_schema_name
from include.dataops.pipeline.landing import is_data_file
from include.dataops.pipeline.reconcile import ReconcileError, load_manifest, reconcile
from include.dataops.settings import Settings, load_settings

DATASETS = ("orders", "customers")
PUBLISHED_PREFIX = "published/orders"
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


class PipelineError(RuntimeError):
    """A pipeline step refused to go on; the message says what was wrong and what to do."""


class RunDateError(ValueError):
    """params.run_date is not a day this pipeline can process; retrying cannot fix it."""


def resolve_run_date(
    requested: str | None,
    data_interval_start: datetime | None,
    run_id: str,
    run_after: datetime | None = None,
) -> dict[str, str]:
    """The day this run processes, the instant freshness is judged against, and its audit schema.

    A manual run may name its day (params.run_date: a calendar day, not after the run's own day);
    otherwise it is the data interval's day, in UTC like the schedule. A run with no data
    interval (triggered with `logical_date: null`) processes the latest complete day: the day
    before `run_after`, which stays fixed when the run is cleared, so a rerun redoes the same day.
    `as_of` is the end of that day, so a rerun or backfill judges recency as the first run did.
    `audit_schema` is where this run's dbt builds every model, until publish (pipeline/audit.py).
    """
    triggered_on = (run_after or datetime.now(UTC)).astimezone(UTC).date()
    if requested is not None:
        day = _calendar_day(requested)
        if day > triggered_on:
            raise RunDateError(
                f"params.run_date {requested} is after the run's day ({triggered_on}, UTC): "
                "name a day whose data has landed"
            )
    elif data_interval_start is not None:
        day = data_interval_start.astimezone(UTC).date()
    else:
        day = triggered_on - timedelta(days=1)
    return {
        "run_date": day.isoformat(),
        "as_of": f"{day + timedelta(days=1)}T00:00:00",
        "audit_schema": audit_schema_name(day.isoformat(), run_id),
    }


def _calendar_day(text: str) -> date:
    """YYYY-MM-DD and nothing else: date.fromisoformat alone also takes 20261001 and 2026-W40-1."""
    if _ISO_DAY.fullmatch(text):
        with contextlib.suppress(ValueError):
            return date.fromisoformat(text)
    raise RunDateError(f"params.run_date {text!r} is not a calendar day: write it as YYYY-MM-DD")


def raw_partition_files(settings: Settings, run_date: str) -> dict[str, list[str]]:
    """The day's data files per dataset, by the landing contract the Glue job reads by (landing.py).

    An empty list where a partition is absent or holds no data file yet.
    """
    fs, root = url_to_fs(settings.lake.raw)
    root = root.rstrip("/")
    found: dict[str, list[str]] = {}
    for dataset in DATASETS:
        folder = f"{root}/{dataset}/dt={run_date}"
        entries = fs.ls(folder, detail=True) if fs.isdir(folder) else []
        found[dataset] = sorted(
            e["name"] for e in entries
            if e["type"] == "file" and is_data_file(e["name"].rstrip("/").rsplit("/", 1)[-1])
        )  # fmt: skip
    return found


def raw_partition_present(settings: Settings, run_date: str) -> bool:
    """True once every dataset's partition for the day has landed (the sensor's poke)."""
    return all(raw_partition_files(settings, run_date).values())


def reconcile_run(run_date: str) -> dict[str, Any]:
    """Fail the run unless every raw record is written, quarantined or deduplicated.

    An imbalance is a fact about the data, so the task fails at once instead of retrying.
    """
    from airflow.sdk.exceptions import AirflowFailException

    settings = load_settings()
    manifest = load_manifest(settings.lake.curated, run_date)
    unexpected = [
        f"{name}/{file}" for name, entry in sorted(manifest["datasets"].items())
        for file in entry.get("unexpected_files") or []
    ]  # fmt: skip
    if unexpected:  # the Glue job failed the run instead when quality.on_landing_violation is "fail"
        logging.getLogger(__name__).warning(
            "raw files of %s outside the landing contract were not read: %s: see the run manifest",
            run_date,
            ", ".join(unexpected),
        )
    try:
        reconcile(manifest, settings.quality.max_quarantine_rate)
    except ReconcileError as err:
        raise AirflowFailException(str(err)) from None
    return manifest


def publish(settings: Settings, run: dict[str, str], gate: dict[str, Any], run_id: str) -> str:
    """Move the run's marts into the consumer schema (one transaction), then write the marker.

    The marker (the key downstream DAGs and people look for) names the marts and the run, so a
    reader can tell which run's tables the consumer schema holds. Its intent is written first, the
    same PutObject on the same bucket: an artifacts bucket that refuses writes fails publish before
    the swap, so the consumer never holds a day the marker does not record (artifacts.py).
    """
    from include.dataops.airflow.cosmos import DBT_MANIFEST
    from include.dataops.pipeline import artifacts
    from include.dataops.pipeline.publish import publish_audit

    key = f"{PUBLISHED_PREFIX}/dt={run['run_date']}"
    record = {"run_date": run["run_date"], "run_id": run_id, "gate": gate}
    artifacts.put_json(settings, f"{key}.publishing.json", record, task="publish")
    marts = publish_audit(settings, run["audit_schema"], DBT_MANIFEST)
    return artifacts.put_json(settings, f"{key}.json", {**record, "marts": marts}, task="publish")


def quality_gate(run_date: str, dag_id: str, run_id: str, run_started: datetime) -> dict[str, Any]:
    """Combine reconciliation, every dbt task's test results and GX; fail naming every failing check.

    It reads what the stages left behind (the manifest, run_results.json in the artifacts
    bucket, the published GX summary), so it judges a run even when a stage failed part-way.
    """
    import tempfile
    from pathlib import Path

    from airflow.sdk.exceptions import AirflowFailException

    from include.dataops.pipeline import dbt_artifacts
    from include.dataops.pipeline.quality_gate import QualityGateError, run_quality_gate

    settings = load_settings()
    manifest = load_manifest(settings.lake.curated, run_date)
    recon = reconcile(manifest, settings.quality.max_quarantine_rate, raise_on_failure=False)
    with tempfile.TemporaryDirectory() as tmp:
        paths = dbt_artifacts.download_run_results(settings, dag_id, run_id, Path(tmp))
        try:
            return run_quality_gate(
                run_date,
                recon,
                paths,
                dbt_artifacts.DBT_MANIFEST,
                settings=settings,
                gx_not_before=run_started,
            )
        except QualityGateError as err:
            # Failed checks do not change on retry: fail now (one alert), keep retries for outages.
            raise AirflowFailException(str(err)) from None


def report(run_date: str, dag_id: str, run_id: str, gate: dict[str, Any]) -> dict[str, Any]:
    """CloudWatch metrics and the SNS summary (kept beside the published marker), then the run's
    record, the health report rebuilt from the history (the summary carries its link), and the
    lineage events no engine sends (curated -> dbt sources, audit marts -> consumer marts).
    """
    import tempfile
    from pathlib import Path

    from include.dataops.gx.checkpoint import load_gx_result
    from include.dataops.observability import lineage, run_record
    from include.dataops.observability.notify import report_run
    from include.dataops.observability.report import store as health_report
    from include.dataops.pipeline import artifacts, dbt_artifacts
    from include.dataops.pipeline.dbt_results import load_run_results

    settings = load_settings()
    stages = run_record.stage_outcomes(dag_id, run_id)
    with tempfile.TemporaryDirectory() as tmp:
        paths = dbt_artifacts.download_run_results(settings, dag_id, run_id, Path(tmp))
        dbt = load_run_results(paths, dbt_artifacts.DBT_MANIFEST)
    manifest = load_manifest(settings.lake.curated, run_date)
    summary = report_run(
        run_date,
        settings=settings,
        manifest=manifest,
        dbt=dbt,
        gx=load_gx_result(run_date, settings),
        gate=gate,
        stage_durations={s["stage"]: s["seconds"] for s in stages if s["seconds"] is not None},
        docs={"health_report": health_report.report_uri(settings)},
    )
    artifacts.put_json(settings, f"{RUNS_PREFIX}/dt={run_date}/summary.json", summary, task="report")
    freshness_hours, freshness_slas = run_record.freshness(settings)
    record = run_record.build_record(
        summary,
        run_id=run_id,
        stages=stages,
        model_seconds=dbt.model_durations,
        freshness_hours=freshness_hours,
        freshness_sla_hours=freshness_slas,
        manifest=manifest,
    )
    health_report.save_record(settings, record)
    health_report.publish_report(settings)
    marts = Marts.from_manifest(dbt_artifacts.DBT_MANIFEST).names
    lineage.emit_run_links(settings, audit_schema_name(run_date, run_id), marts)
    return summary
