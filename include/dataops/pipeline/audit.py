"""Write-audit-publish: each run builds into its own audit schema; publish is the consumer's only writer.

- `audit_schema_name` names a run's audit schema (the `audit_schema` dbt var routes every model
  there through dbt/macros/generate_schema_name.sql, the same code on DuckDB and Redshift).
- `prepare_statements` (re)creates it, and `copy_statements` copies published marts in: the
  incremental ones the run builds, so it starts from the published state (not on a full refresh),
  and every one a `dbt_select` leaves out, so refs, dbt tests, GX and publish see a whole set.
- `models_to_build` adds to a selection the staging and intermediate views it reads (views hold
  no data: building them costs nothing, and they live in no published schema to defer to).
- `publish_statements` replaces every consumer mart with the audit one and drops the audit
  schema, all in one transaction (`warehouse.execute`): a reader sees the old set or the new one.
- `expired_audit_schemas` lists the audit schemas of failed runs older than the retention.

The consumer contract is the marts: staging and intermediate views live in the audit schema only.
So `dbt_select` (a manual rerun, or the deploy's `state:modified+`) is deferral done by the
pipeline: the marts it leaves out are read as published, the views it needs are rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

AUDIT_PREFIX = "audit_"
# Every audit schema holds this one-row table: which run made it, and when (for the retention).
RUN_TABLE = "_audit_run"
MARTS_PATH = "marts"
DIALECTS = ("duckdb", "redshift")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,126}$")


class AuditError(ValueError):
    """An audit or publish step cannot go on; the message says what was wrong and what to do."""


@dataclass(frozen=True)
class Marts:
    """The consumer tables a run publishes, read from the dbt manifest (never at DAG parse time)."""

    names: tuple[str, ...]
    incremental: tuple[str, ...]

    @classmethod
    def from_manifest(cls, manifest_path: Path) -> Marts:
        nodes = json.loads(manifest_path.read_text())["nodes"].values()
        marts = [n for n in nodes if _is_mart(n)]
        if not marts:
            raise AuditError(f"the dbt manifest {manifest_path} has no marts: run `make dbt-manifest`.")
        return cls(
            names=tuple(sorted(n["name"] for n in marts)),
            incremental=tuple(
                sorted(n["name"] for n in marts if n["config"]["materialized"] == "incremental")
            ),
        )


# dbt's --indirect-selection for a selective build: a test runs only when every model it reads is
# built. A test that also reads a model the selection leaves out (orders_held_too_long reads
# stg_orders and stg_customers) would query an audit schema that does not hold that model.
SELECTIVE_TESTS = "cautious"


def models_to_build(selected: set[str], manifest: dict[str, Any]) -> set[str]:
    """`selected` and the non-mart models they read, up to the nearest marts (copied in instead)."""
    nodes = manifest["nodes"]
    by_name = {node["name"]: node_id for node_id, node in nodes.items() if node["resource_type"] == "model"}
    build, stack = set(selected), [by_name[name] for name in selected]
    while stack:
        for parent in manifest["parent_map"].get(stack.pop(), []):
            node = nodes.get(parent)
            if node and node["resource_type"] == "model" and not _is_mart(node) and node["name"] not in build:
                build.add(node["name"])
                stack.append(parent)
    return build


def audit_schema_name(run_date: str, run_id: str) -> str:
    """`audit_<yyyymmdd>_<8 hex of the run id>`: stable across a run's retries, unique per run."""
    digest = hashlib.sha256(run_id.encode()).hexdigest()[:8]
    return _checked(f"{AUDIT_PREFIX}{run_date.replace('-', '')}_{digest}")


def prepare_statements(audit: str, run_id: str, created_at: datetime) -> list[str]:
    """A fresh, empty audit schema (a retry starts over) with its run table."""
    audit = _checked(audit)
    stamp = created_at.strftime("%Y-%m-%d %H:%M:%S")
    return [
        f"drop schema if exists {audit} cascade",
        f"create schema {audit}",
        f"create table {audit}.{RUN_TABLE} as select "
        f"cast('{_literal(run_id)}' as varchar(256)) as run_id, cast('{stamp}' as timestamp) as created_at",
    ]


def copy_statements(source: str, target: str, tables: list[str], dialect: str) -> list[str]:
    """Copies of `tables` from schema `source` into schema `target`."""
    source, target = _checked(source), _checked(target)
    return [s for table in tables for s in _copy(f"{source}.{_checked(table)}", f"{target}.{table}", dialect)]


def publish_statements(audit: str, consumer: str, marts: list[str], dialect: str) -> list[str]:
    """Replace each consumer mart with the audit one, then drop the audit schema: one transaction.

    Drop-and-recreate rather than delete+insert: a mart's columns may change (on_schema_change),
    and a Redshift DROP TABLE in a transaction holds an exclusive lock until COMMIT, so a reader
    waits and then sees the new table; it never sees a missing or half-filled one. `create table
    (like ...)` keeps the audit table's dist and sort keys. Grants belong on the schema (ALTER
    DEFAULT PRIVILEGES) and consumer views should be late-binding (WITH NO SCHEMA BINDING),
    because dropped tables take their grants and bound views with them.
    """
    audit, consumer = _checked(audit), _checked(consumer)
    statements = [f"create schema if not exists {consumer}"]
    for mart in marts:
        statements.append(f"drop table if exists {consumer}.{_checked(mart)}")
        statements += _copy(f"{audit}.{mart}", f"{consumer}.{mart}", dialect)
    statements.append(f"drop schema {audit} cascade")
    return statements


def drop_statements(schemas: list[str]) -> list[str]:
    return [f"drop schema if exists {_checked(schema)} cascade" for schema in schemas]


def audit_schemas_sql() -> str:
    """The audit schemas in the warehouse (information_schema: the same on DuckDB and Redshift)."""
    return (
        "select schema_name from information_schema.schemata "
        f"where schema_name like '{AUDIT_PREFIX}%' order by schema_name"
    )


def tables_sql(schema: str) -> str:
    return f"select table_name from information_schema.tables where table_schema = '{_checked(schema)}'"


def created_at_sql(schemas: list[str]) -> str:
    """Each audit schema's creation time, from its run table."""
    return " union all ".join(
        f"select '{_checked(s)}' as schema_name, created_at from {s}.{RUN_TABLE}" for s in schemas
    )


def expired(created: dict[str, datetime], now: datetime, retention_days: int, keep: str = "") -> list[str]:
    """Audit schemas created more than `retention_days` before `now`, except `keep` (this run's)."""
    return sorted(
        schema
        for schema, at in created.items()
        if schema != keep and (now - at).total_seconds() > retention_days * 86400
    )


def _is_mart(node: dict[str, Any]) -> bool:
    return node["resource_type"] == "model" and MARTS_PATH in node["fqn"][1:-1]


def _copy(source: str, target: str, dialect: str) -> list[str]:
    if dialect == "duckdb":
        return [f"create table {target} as select * from {source}"]
    if dialect == "redshift":
        # LIKE copies the column encodings, dist style and sort keys a plain CTAS would drop.
        return [f"create table {target} (like {source})", f"insert into {target} select * from {source}"]
    raise AuditError(f"unknown warehouse dialect {dialect!r}: use one of {', '.join(DIALECTS)}.")


def _checked(name: str) -> str:
    if not _IDENTIFIER.match(name):
        raise AuditError(
            f"{name!r} is not a plain lower-case SQL identifier (a-z, 0-9, _; at most 127): fix the settings."
        )
    return name


def _literal(text: str) -> str:
    return text.replace("'", "''")


def select_models(selector: str, manifest: dict[str, Any]) -> set[str]:
    """Model names a dbt selector picks: names with the graph operators `+name`, `name+`, `+name+`.

    The smallest equivalent of dbt's node selection for a manual rerun from the UI; tags, paths
    and set operators are left to the dbt CLI.
    """
    nodes = manifest["nodes"].items()
    models = {node_id: node["name"] for node_id, node in nodes if node["resource_type"] == "model"}
    by_name = {name: node_id for node_id, name in models.items()}

    def walk(start: str, edges: dict[str, list[str]]) -> set[str]:
        seen, stack = set(), [start]
        while stack:
            for nxt in edges.get(stack.pop(), []):
                if nxt in models and nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    chosen: set[str] = set()
    for term in selector.split():
        name = term.strip("+")
        if name not in by_name:
            known = ", ".join(sorted(by_name))
            raise ValueError(f"dbt_select names unknown model {name!r}: use one of {known}.")
        node_id = by_name[name]
        chosen.add(node_id)
        if term.startswith("+"):
            chosen |= walk(node_id, manifest["parent_map"])
        if term.endswith("+"):
            chosen |= walk(node_id, manifest["child_map"])
    return {models[node_id] for node_id in chosen}
