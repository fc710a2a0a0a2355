"""The warehouse behind an Airflow connection: the same calls on DuckDB (local) and Redshift (cloud).

Reads (`query_df`, `scalar`) open the warehouse read-only; the one write path (`execute`) runs a
list of statements as one transaction, for the write-audit-publish steps.

An adapter on the project's one warehouse abstraction (warehouse_engines.py): the connection
named in ``settings.warehouse.conn_id`` picks the engine. conn_type "duckdb" (host = the DuckDB
file) is warehouse_engines' DuckDbEngine; "redshift" is `RedshiftSqlEngine` below, the amazon
provider's RedshiftSQLHook (common.sql), because MWAA reaches Redshift through its VPC.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from include.dataops.warehouse_engines import DuckDbEngine, Engine, WarehouseError

if TYPE_CHECKING:
    import pandas as pd

SUPPORTED_CONN_TYPES = ("duckdb", "redshift")
__all__ = ["WarehouseError", "dialect", "engine", "execute", "exists", "query_df", "require", "scalar"]


class RedshiftSqlEngine:
    """Redshift through the amazon provider's RedshiftSQLHook and the Airflow connection."""

    dialect = "redshift"

    def __init__(self, conn_id: str) -> None:
        self.conn_id = conn_id

    def exists(self) -> bool:
        return True

    def scalar(self, sql: str, parameters: Sequence[Any] | None = None) -> Any:
        frame = self.frame(sql, parameters)
        return None if frame.empty else frame.iat[0, 0]

    def frame(self, sql: str, parameters: Sequence[Any] | None = None) -> pd.DataFrame:
        params = list(parameters) if parameters is not None else None
        return self._hook().get_df(sql, parameters=params, df_type="pandas")

    def execute(self, statements: Sequence[str]) -> None:
        # autocommit=False: one implicit transaction, committed by the hook after the last statement.
        self._hook().run(list(statements), autocommit=False)

    def _hook(self) -> Any:
        from airflow.providers.amazon.aws.hooks.redshift_sql import RedshiftSQLHook

        return RedshiftSQLHook(redshift_conn_id=self.conn_id)


def engine(conn_id: str) -> Engine:
    """The engine behind an Airflow connection."""
    conn_type, host = _connection(conn_id)
    return DuckDbEngine(host) if conn_type == "duckdb" else RedshiftSqlEngine(conn_id)


def query_df(sql: str, conn_id: str, parameters: list[Any] | None = None) -> pd.DataFrame:
    """Run one read-only query and return its rows as a pandas DataFrame.

    Decimal columns come back as floats, so statistics (GX, metrics) work alike on both engines.
    """
    return _decimals_to_float(engine(conn_id).frame(sql, parameters))


def dialect(conn_id: str) -> str:
    """The SQL dialect of the warehouse behind `conn_id`: "duckdb" or "redshift"."""
    return _connection(conn_id)[0]


def exists(conn_id: str) -> bool:
    """False only for a DuckDB warehouse whose file is missing."""
    return engine(conn_id).exists()


def require(conn_id: str) -> None:
    """Fail, saying how to fix it, unless the warehouse exists. Runs before anything writes (dbt
    included: dbt-duckdb would create a missing file). A Redshift warehouse always exists here: an
    unreachable one fails its first query or dbt's connection, a transient error, retried."""
    found = engine(conn_id)
    if isinstance(found, DuckDbEngine):
        found.require()


def execute(statements: list[str], conn_id: str) -> None:
    """Run `statements` in one transaction: all of them take effect, or (on any error) none does.

    DuckDB's DDL is transactional; on Redshift every statement we send (CREATE/DROP SCHEMA and
    TABLE, INSERT) may run in a transaction block. A missing DuckDB file is an error, never created.
    """
    engine(conn_id).execute(statements)


def _connection(conn_id: str) -> tuple[str, str]:
    from airflow.sdk import BaseHook

    try:
        conn = BaseHook.get_connection(conn_id)
    except Exception as exc:
        raise WarehouseError(
            f"warehouse connection {conn_id!r} is not defined ({exc.__class__.__name__}): "
            f"set AIRFLOW_CONN_{conn_id.upper()} or add it to the secrets backend."
        ) from None
    conn_type = (conn.conn_type or "").lower()
    if conn_type not in SUPPORTED_CONN_TYPES:
        raise WarehouseError(
            f"warehouse connection {conn_id!r} has conn_type {conn.conn_type!r}: "
            f"use one of {', '.join(SUPPORTED_CONN_TYPES)}."
        )
    return conn_type, conn.host or ""


def scalar(sql: str, conn_id: str, parameters: list[Any] | None = None) -> Any:
    """The first column of the first row, or None when the query returns no rows."""
    value = engine(conn_id).scalar(sql, parameters)
    if isinstance(value, Decimal):
        return float(value)
    return value.item() if hasattr(value, "item") else value


def _decimals_to_float(frame: pd.DataFrame) -> pd.DataFrame:
    for column in frame.columns:
        series = frame[column]
        if series.dtype == object:
            sample = series.dropna()
            if not sample.empty and isinstance(sample.iloc[0], Decimal):
                frame[column] = series.astype(float)
    return frame
