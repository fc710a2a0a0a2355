"""The warehouse without Airflow: one scalar query on DuckDB (local) or the Redshift Data API (cloud).

include/dataops/warehouse.py reaches the warehouse through Airflow connections; code that runs
outside Airflow (the freshness Lambda) uses these instead, and warehouse.py could delegate to them
later. A leaf module: the duckdb and boto3 imports happen only in the engine that needs them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DATA_API_POLL_SECONDS = 0.5
DATA_API_TIMEOUT_SECONDS = 60.0


class EngineError(RuntimeError):
    """The warehouse cannot be queried; the message says what to fix, in one line."""


def duckdb_scalar(path: str | Path) -> Callable[[str], Any]:
    """A read-only DuckDB file: the first column of the first row of a query, or None."""

    def scalar(sql: str) -> Any:
        import duckdb

        if not Path(path).is_file():
            raise EngineError(
                f"DuckDB warehouse file {path} does not exist: run the pipeline first (make run)."
            )
        with duckdb.connect(str(path), read_only=True) as con:
            row = con.execute(sql).fetchone()
        return None if row is None else row[0]

    return scalar


def redshift_data_scalar(
    client: Any,
    database: str,
    *,
    workgroup: str = "",
    cluster: str = "",
    secret_arn: str = "",
    sleep: Callable[[float], None] = time.sleep,
) -> Callable[[str], Any]:
    """The Redshift Data API (execute, poll, fetch): no driver and no VPC link, which suits a Lambda.

    Serverless names a workgroup; a provisioned cluster names the cluster (and a secret, or IAM).
    """
    target: dict[str, str] = {"Database": database}
    target.update({"WorkgroupName": workgroup} if workgroup else {"ClusterIdentifier": cluster})
    if secret_arn:
        target["SecretArn"] = secret_arn

    def scalar(sql: str) -> Any:
        statement = client.execute_statement(Sql=sql, **target)["Id"]
        waited = 0.0
        while True:
            described = client.describe_statement(Id=statement)
            status = described["Status"]
            if status == "FINISHED":
                break
            if status in ("FAILED", "ABORTED"):
                raise EngineError(
                    f"Redshift query {status.lower()}: {described.get('Error', 'no error given')}"
                )
            if waited >= DATA_API_TIMEOUT_SECONDS:
                raise EngineError(
                    f"Redshift query still {status} after {waited:.0f} s: check the workgroup's load."
                )
            sleep(DATA_API_POLL_SECONDS)
            waited += DATA_API_POLL_SECONDS
        if not described.get("HasResultSet"):
            return None
        records = client.get_statement_result(Id=statement)["Records"]
        if not records:
            return None
        field = records[0][0]
        return None if field.get("isNull") else next(iter(field.values()))

    return scalar
