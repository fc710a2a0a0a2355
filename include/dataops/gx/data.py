"""The frames the GX suites validate: marts from the warehouse; curated customers, quarantine from the lake.

Write-audit-publish splits the warehouse in two. The marts under test are this run's build, in the
audit schema; the history the bounds are computed from is the consumer schema, which holds only
published days (a failed day never reaches it), and only days before the one under test, so the
day cannot vouch for itself. The two schemas are therefore separate parameters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from include.dataops.gx.config import GxConfig
from include.dataops.gx.results import GxCheckError, iso_day
from include.dataops.gx.suites import CUSTOMERS_SUITE, ORDERS_DAILY_SUITE, ORDERS_SUITE, QUARANTINE_SUITE
from include.dataops.settings import Settings

if TYPE_CHECKING:
    import pandas as pd

HISTORY = "history"
# Schema names are spliced into SQL (neither engine binds identifiers), so only plain names pass.
SCHEMA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")


def fetch_frames(
    settings: Settings, run_date: str, config: GxConfig, *, marts_schema: str, history_schema: str
) -> dict[str, pd.DataFrame]:
    """The day's rows of each checked dataset, keyed by suite name, plus the history (key ``HISTORY``).

    `marts_schema` holds the marts under test (the run's audit schema); `history_schema` the
    published days the bounds come from (the consumer schema).
    """
    from include.dataops.warehouse import query_df

    t, c = config.tables, config.columns
    marts, history = _schema(marts_schema), _schema(history_schema)
    day = iso_day(run_date)
    start = (date.fromisoformat(day) - timedelta(days=config.thresholds.history_days)).isoformat()
    conn = settings.warehouse.conn_id
    # Nothing published yet (the first run): no history, so the bounds fall back to the day alone.
    published = _table_exists(conn, history, t.orders_daily)
    history_sql = (
        f"select {c.order_date}, {c.order_count}, {c.order_total_avg} "
        f"from {history if published else marts}.{t.orders_daily} "
        f"where {c.order_date} >= date '{start}' and {c.order_date} < date '{day}' "
        f"order by {c.order_date}{'' if published else ' limit 0'}"
    )
    return {
        HISTORY: query_df(history_sql, conn),
        ORDERS_DAILY_SUITE: query_df(
            f"select * from {marts}.{t.orders_daily} where {c.order_date} = date '{day}'", conn
        ),
        ORDERS_SUITE: query_df(
            f"select {c.order_id}, {c.order_total} from {marts}.{t.orders} "
            f"where {c.order_date} = date '{day}'",
            conn,
        ),
        QUARANTINE_SUITE: read_quarantine(settings.lake.quarantine, day, config),
        CUSTOMERS_SUITE: read_curated_customers(settings.lake.curated, day, config),
    }


def _table_exists(conn_id: str, schema: str, table: str) -> bool:
    """Through information_schema, which DuckDB and Redshift both have: no engine-specific call."""
    from include.dataops.warehouse import scalar

    sql = (
        "select count(*) from information_schema.tables "
        f"where table_schema = '{schema}' and table_name = '{table}'"
    )
    return bool(scalar(sql, conn_id))


def read_quarantine(root: str, run_date: str, config: GxConfig) -> pd.DataFrame:
    """The day's quarantine records (dataset, reason) across datasets; empty when none were rejected."""
    import pandas as pd

    c = config.columns
    frames = [
        pd.read_json(handle, lines=True, dtype=False)
        for dataset in config.datasets
        for handle in _open_all(f"{root.rstrip('/')}/{dataset}/dt={run_date}/*.json")
    ]
    frames = [f[[c.dataset, c.reason]] for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame({c.dataset: pd.Series(dtype="string"), c.reason: pd.Series(dtype="string")})
    return pd.concat(frames, ignore_index=True)


def read_curated_customers(root: str, run_date: str, config: GxConfig) -> pd.DataFrame:
    """The day's curated customers partition (id, email, country)."""
    import pandas as pd

    c = config.columns
    columns = [c.customer_id, c.email, c.country]
    frames = [
        pd.read_parquet(handle, columns=columns)
        for handle in _open_all(f"{root.rstrip('/')}/customers/dt={run_date}/*.parquet")
    ]
    if not frames:
        return pd.DataFrame({name: pd.Series(dtype="string") for name in columns})
    return pd.concat(frames, ignore_index=True)


def _schema(name: str) -> str:
    if not SCHEMA_NAME.fullmatch(name or ""):
        raise GxCheckError(
            f"warehouse schema {name!r} is not a plain name: use letters, digits and underscores."
        )
    return name


def _open_all(pattern: str) -> Iterable[Any]:
    from fsspec.core import url_to_fs

    fs, path = url_to_fs(pattern)
    for match in sorted(fs.glob(path)):
        with fs.open(match, "rb") as handle:
            yield handle
