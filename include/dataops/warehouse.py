"""Queries against the warehouse, the same call on DuckDB (local) and Redshift (cloud).

Reads (`query_df`, `scalar`) open the warehouse read-only; the one write path (`execute`) runs a
list of statements as one transaction, for the write-audit-publish steps.

The connection named in ``settings.warehouse.conn_id`` decides the engine: conn_type "duckdb"
(host = the DuckDB file) locally, "redshift" in the cloud. Our locks hold no DuckDB provider
that works with Airflow 3, so the DuckDB branch opens the file with the duckdb package directly:
the smallest equivalent of a provider hook. Redshift goes through the amazon provider's
RedshiftSQLHook (common.sql ``get_df``).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

SUPPORTED_CONN_TYPES = ("duckdb", "redshift")


class WarehouseError(RuntimeError):
    """The warehouse cannot be reached or queried; the message says what to fix, in one line."""


def query_df(sql: str, conn_id: str, parameters: list[Any] | None = None) -> pd.DataFrame:
    """Run one read-only query and return its rows as a pandas DataFrame.

    Decimal columns come back as floats, so statistics (GX, metrics) work alike on both engines.
    """
    conn_type, host = _connection(conn_id)
    if conn_type == "duckdb":
        frame = _duckdb_df(host, sql, parameters)
    else:
        from airflow.providers.amazon.aws.hooks.redshift_sql import RedshiftSQLHook

        frame = RedshiftSQLHook(redshift_conn_id=conn_id).get_df(sql, parameters=parameters, df_type="pandas")
    return _decimals_to_float(frame)


def dialect(conn_id: str) -> str:
    """The SQL dialect of the warehouse behind `conn_id`: "duckdb" or "redshift"."""
    return _connection(conn_id)[0]


def exists(conn_id: str) -> bool:
    """False only for a DuckDB warehouse whose file nothing has created yet (a first run)."""
    conn_type, host = _connection(conn_id)
    return conn_type == "redshift" or Path(host).is_file()


def execute(statements: list[str], conn_id: str) -> None:
    """Run `statements` in one transaction: all of them take effect, or (on any error) none does.

    DuckDB's DDL is transactional; on Redshift every statement we send (CREATE/DROP SCHEMA and
    TABLE, INSERT) may run in a transaction block. A new DuckDB file is created if needed.
    """
    conn_type, host = _connection(conn_id)
    if conn_type == "redshift":
        from airflow.providers.amazon.aws.hooks.redshift_sql import RedshiftSQLHook

        # autocommit=False: one implicit transaction, committed by the hook after the last statement.
        RedshiftSQLHook(redshift_conn_id=conn_id).run(statements, autocommit=False)
        return
    import duckdb

    if not host:
        raise WarehouseError(
            f"warehouse connection {conn_id!r} has an empty host: set it to the DuckDB file."
        )
    Path(host).parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(host) as con:
        con.begin()
        for statement in statements:
            try:
                con.execute(statement)
            except duckdb.Error as exc:
                con.rollback()
                first_line = str(exc).splitlines()[0]
                raise WarehouseError(
                    f"warehouse write failed on {host}, nothing was changed: {first_line} (in: {statement})"
                ) from None
        con.commit()


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
    frame = query_df(sql, conn_id, parameters)
    if frame.empty:
        return None
    value = frame.iat[0, 0]
    return value.item() if hasattr(value, "item") else value


def _duckdb_df(path: str, sql: str, parameters: list[Any] | None) -> pd.DataFrame:
    import duckdb

    if not path or not Path(path).is_file():
        raise WarehouseError(
            f"DuckDB warehouse file {path or '(empty host)'} does not exist: "
            "run dbt first (make run), or fix the connection's host."
        )
    try:
        with duckdb.connect(path, read_only=True) as con:
            return con.execute(sql, parameters or []).df()
    except duckdb.Error as exc:
        first_line = str(exc).splitlines()[0]
        raise WarehouseError(f"warehouse query failed on {path}: {first_line}") from None


def _decimals_to_float(frame: pd.DataFrame) -> pd.DataFrame:
    for column in frame.columns:
        series = frame[column]
        if series.dtype == object:
            sample = series.dropna()
            if not sample.empty and isinstance(sample.iloc[0], Decimal):
                frame[column] = series.astype(float)
    return frame
