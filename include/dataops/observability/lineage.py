"""The lineage edges no engine reports: curated storage -> dbt's sources, and audit -> consumer marts.

The Glue job names what it writes by storage (s3://bucket/curated/orders, or a local path), and
dbt's OpenLineage events name the same data as the warehouse sees it (DuckDB reads the Parquet
with read_parquet, Redshift through a Spectrum external schema). Nothing in between emits. And
dbt builds the marts into the run's audit schema, which publish then copies into the consumer
schema in plain SQL. So the report task sends one event per run for each of the two joins,
through the OpenLineage provider's transport; it does nothing while the provider is disabled.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from include.dataops.settings import Settings

DATASETS = ("orders", "customers")
SOURCE_SCHEMA = "curated"  # dbt/models/staging/__sources.yml, var('curated_schema')
PRODUCER = "https://github.com/dataops/orders/include/dataops/observability/lineage.py"


def storage_name(location: str) -> tuple[str, str]:
    """OpenLineage naming for storage; glue_jobs/orders_transform.py's lineage_name, which must ship alone."""
    if "://" in location:
        scheme, rest = location.split("://", 1)
        bucket, _, key = rest.partition("/")
        return f"{'s3' if scheme in ('s3a', 's3n') else scheme}://{bucket}", key.rstrip("/")
    return "file", os.path.abspath(location)


def warehouse_names(settings: Settings) -> tuple[str, str]:
    """(namespace, database) as dbt's OpenLineage processor names the warehouse from its profile."""
    from airflow.sdk import BaseHook

    conn = BaseHook.get_connection(settings.warehouse.conn_id)
    if settings.warehouse.type == "duckdb":
        return f"duckdb://{conn.host}", Path(conn.host or "").stem
    return f"redshift://{conn.host}:{conn.port or 5439}", conn.schema or ""


def source_link_event(settings: Settings, job_namespace: str, run_id: str) -> Any:
    """One COMPLETE event: each curated table's location in, the warehouse source on it out."""
    from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState

    namespace, database = warehouse_names(settings)
    root = settings.lake.curated.rstrip("/")
    return RunEvent(
        eventType=RunState.COMPLETE,
        eventTime=datetime.now(UTC).isoformat(),
        run=Run(runId=run_id),
        job=Job(namespace=job_namespace, name="orders_nightly.curated_sources"),
        producer=PRODUCER,
        inputs=[InputDataset(*storage_name(f"{root}/{name}")) for name in DATASETS],
        outputs=[OutputDataset(namespace, f"{database}.{SOURCE_SCHEMA}.{name}") for name in DATASETS],
    )


def publish_link_event(
    settings: Settings, job_namespace: str, run_id: str, audit_schema: str, marts: tuple[str, ...]
) -> Any:
    """One COMPLETE event: each mart in the run's audit schema in, the consumer table out."""
    from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState

    namespace, database = warehouse_names(settings)
    consumer = settings.warehouse.schema
    return RunEvent(
        eventType=RunState.COMPLETE,
        eventTime=datetime.now(UTC).isoformat(),
        run=Run(runId=run_id),
        job=Job(namespace=job_namespace, name="orders_nightly.publish"),
        producer=PRODUCER,
        inputs=[InputDataset(namespace, f"{database}.{audit_schema}.{name}") for name in marts],
        outputs=[OutputDataset(namespace, f"{database}.{consumer}.{name}") for name in marts],
    )


def emit_run_links(settings: Settings, audit_schema: str, marts: tuple[str, ...]) -> bool:
    """Send both events through the provider's configured transport; False when lineage is off."""
    from airflow.providers.openlineage import conf
    from airflow.providers.openlineage.plugins.adapter import OpenLineageAdapter
    from openlineage.client.uuid import generate_new_uuid

    if conf.is_disabled():
        return False
    adapter, namespace = OpenLineageAdapter(), conf.namespace()
    adapter.emit(source_link_event(settings, namespace, str(generate_new_uuid())))
    adapter.emit(publish_link_event(settings, namespace, str(generate_new_uuid()), audit_schema, marts))
    return True
