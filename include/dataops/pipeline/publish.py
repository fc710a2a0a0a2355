"""The write-audit-publish tasks: prepare a run's audit schema, publish it, drop expired ones.

The SQL lives in audit.py (pure, unit-tested on both dialects); this module runs it on the
warehouse of the settings, through warehouse.execute (one transaction per step).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from include.dataops import warehouse
from include.dataops.pipeline import artifacts, audit
from include.dataops.settings import Settings


def prepare_audit(
    settings: Settings,
    audit_schema: str,
    run_id: str,
    manifest: Path,
    full_refresh: bool = False,
    dbt_select: str = "",
) -> list[str]:
    """Create the run's audit schema and copy published marts into it; returns those copied.

    Copied: the incremental marts the run builds, so they start from the published state (none on
    a full refresh, which rebuilds them from all of history), and every mart `dbt_select` leaves
    out, read as published (dbt's --defer, done by the pipeline): the audit schema always holds a
    whole set of marts for dbt's refs and tests, GX, the gate and publish. Checks come first (the
    warehouse exists, the artifacts bucket the gate reads dbt's results from answers), so a refusal
    leaves nothing behind and dbt never builds into a warehouse it would create.
    """
    conn = settings.warehouse.conn_id
    consumer = settings.warehouse.schema
    warehouse.require(conn)
    artifacts.require_bucket(settings, task="prepare_audit")
    marts = audit.Marts.from_manifest(manifest)
    built = set(marts.names)
    if dbt_select.strip():
        built &= audit.select_models(dbt_select, json.loads(manifest.read_text()))
    published = tables_in(settings, consumer)
    left_out = [name for name in marts.names if name not in built]
    if missing := [name for name in left_out if name not in published]:
        raise audit.AuditError(
            f"dbt_select={dbt_select!r} leaves out {', '.join(missing)}, which {consumer} does not hold "
            "yet: select them too, or run without dbt_select first."
        )
    resumed = [] if full_refresh else [name for name in marts.incremental if name in built & published]
    seeds = sorted(left_out + resumed)
    warehouse.execute(audit.prepare_statements(audit_schema, run_id, datetime.now(UTC)), conn)
    if seeds:
        warehouse.execute(audit.copy_statements(consumer, audit_schema, seeds, warehouse.dialect(conn)), conn)
    return seeds


def publish_audit(settings: Settings, audit_schema: str, manifest: Path) -> list[str]:
    """Move every mart of the audit schema into the consumer schema in one transaction; returns them.

    That is the whole set the gate judged: the marts the run built and those a `dbt_select` left
    out (copies of their published version), so a consumer sees exactly what was tested.
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
