"""The nightly orders pipeline's steps, as plain functions the DAG wires together.

Each function is what one task does, written so a pytest can call it without a scheduler.
The DAG file (dags/orders_nightly.py) holds only the wiring.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from fsspec.core import url_to_fs

from include.dataops.reconcile import load_manifest, reconcile
from include.dataops.settings import Settings, load_settings

DATASETS = ("orders", "customers")
PUBLISHED_PREFIX = "published/orders"


class PipelineError(RuntimeError):
    """A pipeline step refused to go on; the message says what was wrong and what to do."""


def resolve_run_date(requested: str | None, data_interval_start: datetime) -> dict[str, str]:
    """The day this run processes, and the instant freshness is judged against.

    A manual run may name its day (params.run_date); otherwise it is the data interval's day.
    `as_of` is the end of that day, so a rerun or backfill judges recency as the first run did.
    """
    day = date.fromisoformat(requested) if requested else data_interval_start.date()
    return {"run_date": day.isoformat(), "as_of": f"{day + timedelta(days=1)}T00:00:00"}


def raw_partition_files(settings: Settings, run_date: str) -> dict[str, list[str]]:
    """The raw files of the day, per dataset (an empty list where a partition is absent)."""
    fs, root = url_to_fs(settings.lake.raw)
    root = root.rstrip("/")
    return {dataset: sorted(fs.glob(f"{root}/{dataset}/dt={run_date}/*.jsonl")) for dataset in DATASETS}


def raw_partition_present(settings: Settings, run_date: str) -> bool:
    """True once every dataset's partition for the day has landed (the sensor's poke)."""
    return all(raw_partition_files(settings, run_date).values())


def reconcile_run(run_date: str) -> dict[str, Any]:
    """Fail the run unless every raw record is written, quarantined or deduplicated."""
    settings = load_settings()
    manifest = load_manifest(settings.lake.curated, run_date)
    reconcile(manifest, settings.quality.max_quarantine_rate)
    return manifest


def publish(settings: Settings, run_date: str, summary: dict[str, Any]) -> str:
    """Mark the day's marts as published: the marker downstream DAGs and people look for."""
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    key = f"{PUBLISHED_PREFIX}/dt={run_date}.json"
    S3Hook(aws_conn_id=settings.aws_conn_id).load_string(
        json.dumps({"run_date": run_date, **summary}, default=str),
        key=key,
        bucket_name=settings.buckets.artifacts,
        replace=True,
    )
    return f"s3://{settings.buckets.artifacts}/{key}"


def quality_gate(run_date: str, context: Any) -> dict[str, Any]:
    """Combine reconciliation, dbt test results and GX; fail naming every failing check."""
    import tempfile
    from pathlib import Path

    from include.dataops import dbt_cosmos
    from include.dataops.dbt_results import load_run_results
    from include.dataops.gx_checks import GxCheckError, load_gx_result

    settings = load_settings()
    failures: list[str] = []
    manifest = load_manifest(settings.lake.curated, run_date)
    recon = reconcile(manifest, settings.quality.max_quarantine_rate, raise_on_failure=False)
    failures += [f"reconcile {c.name}: {c.message}" for c in recon.failures]
    with tempfile.TemporaryDirectory() as tmp:
        paths = dbt_cosmos.download_run_results(settings, context["dag"].dag_id, context["run_id"], Path(tmp))
        dbt = load_run_results(paths, dbt_cosmos.DBT_MANIFEST)
    failures += dbt.failed_checks()
    try:
        gx = load_gx_result(run_date, settings)
        failures += gx.failed_checks()
    except GxCheckError as err:
        failures.append(f"gx: {err}")
    if failures:
        heading = f"quality gate failed for {run_date}: {len(failures)} failing checks"
        raise PipelineError("\n".join([heading, *failures]))
    return {"reconcile": [c.name for c in recon.checks], "dbt": dbt.counts(), "gx": gx.counts()}


def report(run_date: str, context: Any) -> dict[str, Any]:
    return {"run_date": run_date}
