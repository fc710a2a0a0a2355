"""The project's one warehouse abstraction: an engine per way of reaching DuckDB or Redshift.

Every engine answers the same calls: `scalar` (the first column of the first row), `frame` (the
rows as a pandas DataFrame), `execute` (statements in one transaction) and `exists`. The
pipeline picks its engine from an Airflow connection (include/dataops/warehouse.py, which adds
the amazon provider's RedshiftSQLHook as one more engine); the freshness Lambda, which has no
Airflow, builds one from its environment (lambdas/freshness/handler.py). Our locks hold no
DuckDB provider that works with Airflow 3, so the DuckDB engine opens the file with the duckdb
package: the smallest equivalent of a provider hook.

A leaf: duckdb, boto3 and pandas are imported only by the call that needs them, so the Lambda
ships this file with the standard library and boto3 alone (it calls `scalar` only).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import pandas as pd

DATA_API_POLL_SECONDS = 0.5
DATA_API_TIMEOUT_SECONDS = 60.0


class WarehouseError(RuntimeError):
    """The warehouse cannot be reached or queried; the message says what to fix, in one line."""


def missing_warehouse_message(path: str) -> str:
    """What to say when the DuckDB file is gone: the pipeline never creates one (DuckDB and dbt-duckdb
    would, silently, and a run would then build into an empty warehouse); tooling does, once."""
    return (
        f"DuckDB warehouse {path or '(empty host)'} does not exist: restore it, or create an empty "
        f"one with `make warehouse WAREHOUSE={path}` (the next run rebuilds the marts from the curated zone)."
    )


class Engine(Protocol):
    dialect: str  # "duckdb" or "redshift": which SQL to write

    def exists(self) -> bool: ...
    def scalar(self, sql: str, parameters: Sequence[Any] | None = None) -> Any: ...
    def frame(self, sql: str, parameters: Sequence[Any] | None = None) -> pd.DataFrame: ...
    def execute(self, statements: Sequence[str]) -> None: ...


class DuckDbEngine:
    """A DuckDB file that must exist: reads open it read-only, `execute` writes; neither creates it."""

    dialect = "duckdb"

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)

    def exists(self) -> bool:
        return bool(self.path) and Path(self.path).is_file()

    def require(self) -> None:
        """Fail, saying how to fix it, unless the file exists."""
        if not self.path:
            raise WarehouseError(
                "the DuckDB warehouse has an empty path: set the connection's host to the file."
            )
        if not self.exists():
            raise WarehouseError(missing_warehouse_message(self.path))

    def scalar(self, sql: str, parameters: Sequence[Any] | None = None) -> Any:
        row = self._read(lambda con: con.execute(sql, list(parameters or [])).fetchone())
        return None if row is None else row[0]

    def frame(self, sql: str, parameters: Sequence[Any] | None = None) -> pd.DataFrame:
        return self._read(lambda con: con.execute(sql, list(parameters or [])).df())

    def execute(self, statements: Sequence[str]) -> None:
        """All statements take effect, or (on any error) none does: DuckDB's DDL is transactional."""
        import duckdb

        self.require()
        with duckdb.connect(self.path) as con:
            con.begin()
            for statement in statements:
                try:
                    con.execute(statement)
                except duckdb.Error as exc:
                    con.rollback()
                    raise WarehouseError(
                        f"warehouse write failed on {self.path}, nothing was changed: "
                        f"{_first_line(exc)} (in: {statement})"
                    ) from None
            con.commit()

    def _read(self, call: Callable[[Any], Any]) -> Any:
        import duckdb

        self.require()
        try:
            with duckdb.connect(self.path, read_only=True) as con:
                return call(con)
        except duckdb.Error as exc:
            raise WarehouseError(f"warehouse query failed on {self.path}: {_first_line(exc)}") from None


class RedshiftDataEngine:
    """The Redshift Data API (execute, poll, fetch): no driver and no VPC link, which suits a Lambda.

    Serverless names a workgroup; a provisioned cluster names the cluster (and a secret, or IAM).
    The Data API takes named parameters only, so this engine takes none.
    """

    dialect = "redshift"

    def __init__(
        self,
        client: Any,
        database: str,
        *,
        workgroup: str = "",
        cluster: str = "",
        secret_arn: str = "",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client, self.sleep = client, sleep
        self.target: dict[str, str] = {"Database": database}
        self.target.update({"WorkgroupName": workgroup} if workgroup else {"ClusterIdentifier": cluster})
        if secret_arn:
            self.target["SecretArn"] = secret_arn

    def exists(self) -> bool:
        return True

    def scalar(self, sql: str, parameters: Sequence[Any] | None = None) -> Any:
        records = self._records(sql, parameters)
        if not records:
            return None
        field = records[0][0]
        return None if field.get("isNull") else next(iter(field.values()))

    def frame(self, sql: str, parameters: Sequence[Any] | None = None) -> pd.DataFrame:
        import pandas as pd

        rows = [
            [None if f.get("isNull") else next(iter(f.values())) for f in r]
            for r in self._records(sql, parameters)
        ]
        return pd.DataFrame(rows)

    def execute(self, statements: Sequence[str]) -> None:
        """BatchExecuteStatement runs the statements as one transaction."""
        statement = self.client.batch_execute_statement(Sqls=list(statements), **self.target)["Id"]
        self._wait(statement)

    def _records(self, sql: str, parameters: Sequence[Any] | None) -> list[list[dict[str, Any]]]:
        if parameters:
            raise WarehouseError("the Redshift Data API engine takes no positional parameters: inline them.")
        statement = self.client.execute_statement(Sql=sql, **self.target)["Id"]
        if not self._wait(statement).get("HasResultSet"):
            return []
        return self.client.get_statement_result(Id=statement)["Records"]

    def _wait(self, statement: str) -> dict[str, Any]:
        waited = 0.0
        while True:
            described = self.client.describe_statement(Id=statement)
            status = described["Status"]
            if status == "FINISHED":
                return described
            if status in ("FAILED", "ABORTED"):
                raise WarehouseError(
                    f"Redshift query {status.lower()}: {described.get('Error', 'no error given')}"
                )
            if waited >= DATA_API_TIMEOUT_SECONDS:
                raise WarehouseError(
                    f"Redshift query still {status} after {waited:.0f} s: check the workgroup's load."
                )
            self.sleep(DATA_API_POLL_SECONDS)
            waited += DATA_API_POLL_SECONDS


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
