"""The write-audit-publish tasks: prepare a run's audit schema, publish it, drop expired ones.

The SQL lives in audit.py (pure, unit-tested on both dialects); this module runs it on the
warehouse of the settings, through warehouse.execute (one transaction per step).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from include.dataops import warehouse
from include.dataops.pipeline import audit
from include.dataops.settings import Settings


def prepare_audit(
    settings: Settings, audit_schema: str, run_id: str, manifest: Path, full_refresh: bool = False
) -> list[str]:
    """Create the run's audit schema, seeded with the published incremental marts; returns those copied.

    A full refresh seeds nothing, so dbt rebuilds every incremental mart from all of history.
    """
    conn = settings.warehouse.conn_id
    dialect = warehouse.dialect(conn)
    warehouse.execute(audit.prepare_statements(audit_schema, run_id, datetime.now(UTC)), conn)
    if full_refresh:
        return []
    published = tables_in(settings, settings.warehouse.schema)
    seeds = [name for name in audit.Marts.from_manifest(manifest).incremental if name in published]
    if seeds:
        warehouse.execute(
            audit.copy_statements(settings.warehouse.schema, audit_schema, seeds, dialect), conn
        )
    return seeds


def publish_audit(settings: Settings, audit_schema: str, manifest: Path) -> list[str]:
    """Move every mart the run built into the consumer schema in one transaction; returns them.

    A mart the run did not build (a `dbt_select` that left it out) keeps its published version.
    """
    conn = settings.warehouse.conn_id
    built = tables_in(settings, audit_schema)
    if audit.RUN_TABLE not in built:
        raise audit.AuditError(
            f"audit schema {audit_schema} is not in the warehouse: clear the run from prepare_audit."
        )
    marts = [name for name in audit.Marts.from_manifest(manifest).names if name in built]
    if not marts:
        raise audit.AuditError(
            f"audit schema {audit_schema} holds no mart: rerun the DAG run from prepare_audit."
        )
    statements = audit.publish_statements(
        audit_schema, settings.warehouse.schema, marts, warehouse.dialect(conn)
    )
    warehouse.execute(statements, conn)
    return marts


def drop_expired_audits(settings: Settings, keep: str = "", now: datetime | None = None) -> list[str]:
    """Drop the audit schemas (failed runs') older than `quality.audit_retention_days`; returns them."""
    conn = settings.warehouse.conn_id
    if not warehouse.exists(conn):
        return []
    schemas = list(warehouse.query_df(audit.audit_schemas_sql(), conn)["schema_name"])
    if not schemas:
        return []
    frame = warehouse.query_df(audit.created_at_sql(schemas), conn)
    created = {row.schema_name: _utc(row.created_at) for row in frame.itertuples()}
    doomed = audit.expired(created, now or datetime.now(UTC), settings.quality.audit_retention_days, keep)
    if doomed:
        warehouse.execute(audit.drop_statements(doomed), conn)
    return doomed


def tables_in(settings: Settings, schema: str) -> set[str]:
    return set(warehouse.query_df(audit.tables_sql(schema), settings.warehouse.conn_id)["table_name"])


def _utc(value: datetime) -> datetime:
    stamp = value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp
