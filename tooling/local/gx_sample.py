"""A small warehouse and lake with the marts' shapes, for `make gx-check` and the GX tests.

The marts' names come from include/dataops/gx/config.py (which follows dbt/models/marts/_marts.yml), so
the sample and the checks cannot drift apart. Scenario "clean" passes every check; "violations"
breaks one thing per suite, so a test can see each check fail. ``stage_for_audit`` then splits a
sample into write-audit-publish's consumer and audit schemas.
"""

from __future__ import annotations

import json
import random
import zlib
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

from include.dataops.gx.config import GxConfig, known_quarantine_reasons
from include.dataops.settings import Lake, Settings

SCENARIOS = ("clean", "violations")
COUNTRIES = ("CA", "US", "GB", "FR", "DE")
STATUSES = ("pending", "confirmed", "shipped", "delivered", "cancelled")


def build_sample(
    root: Path,
    run_date: str,
    settings: Settings,
    *,
    scenario: str = "clean",
    history_days: int = 7,
    orders_per_day: int = 200,
    config: GxConfig | None = None,
) -> Settings:
    """Write a DuckDB warehouse and a lake under `root`; return settings pointing at them.

    The caller exposes the warehouse as connection ``sample_conn_id(root)``:
    ``AIRFLOW_CONN_<ID>={"conn_type": "duckdb", "host": <root>/warehouse.duckdb}``.
    """
    import duckdb
    import pandas as pd

    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}: use one of {', '.join(SCENARIOS)}.")
    config = config or GxConfig()
    t, c = config.tables, config.columns
    bad = scenario == "violations"
    rng = random.Random(7)
    day = date.fromisoformat(run_date)
    orders = []
    for offset in range(history_days, -1, -1):
        current = day - timedelta(days=offset)
        count = orders_per_day * (3 if bad and offset == 0 else 1)
        for n in range(count):
            large = bad and offset == 0 and n % 5 == 0
            total = rng.uniform(6_000, 9_000) if large else rng.uniform(5, 400)
            orders.append(
                {
                    c.order_id: f"O{current:%Y%m%d}-{n:05d}",
                    c.customer_id: f"C{rng.randrange(50):03d}",
                    c.order_date: current,
                    c.order_status: STATUSES[n % len(STATUSES)],
                    c.order_total: round(total, 2),
                    c.created_at: datetime(current.year, current.month, current.day, n % 24, n % 60),
                }
            )
    fct = pd.DataFrame(orders)
    daily = (
        fct.groupby(c.order_date)
        .agg(**{c.order_count: (c.order_id, "count"), c.order_total_avg: (c.order_total, "mean")})
        .reset_index()
    )
    daily[c.order_total_avg] = daily[c.order_total_avg].round(2)
    customers = pd.DataFrame(
        {
            c.customer_id: [f"C{i:03d}" for i in range(50)],
            c.email: [f"customer{i}@example.com" for i in range(50)],
            c.country: [COUNTRIES[i % len(COUNTRIES)] for i in range(50)],
        }
    )
    if bad:
        customers.loc[0, c.email] = "not-an-email"
        customers.loc[1, c.country] = "Canada"

    root.mkdir(parents=True, exist_ok=True)
    warehouse_path = root / "warehouse.duckdb"
    warehouse_path.unlink(missing_ok=True)
    schema = settings.warehouse.schema
    with duckdb.connect(str(warehouse_path)) as con:
        con.execute(f"create schema {schema}")
        for table, frame in ((t.orders, fct), (t.orders_daily, daily), (t.customers, customers)):
            con.register("frame", frame)
            con.execute(f"create table {schema}.{table} as select * from frame")
            con.unregister("frame")

    lake = Lake(raw=str(root / "raw"), curated=str(root / "curated"), quarantine=str(root / "quarantine"))
    customers_dir = Path(lake.curated) / "customers" / f"dt={run_date}"
    customers_dir.mkdir(parents=True, exist_ok=True)
    customers.to_parquet(customers_dir / "part-0000.parquet", index=False)
    reasons = list(known_quarantine_reasons()) + (["cosmic_rays"] if bad else [])
    quarantine_dir = Path(lake.quarantine) / "orders" / f"dt={run_date}"
    quarantine_dir.mkdir(parents=True, exist_ok=True)
    with (quarantine_dir / "part-0000.json").open("w") as handle:
        for n, reason in enumerate(reasons):
            record = {
                c.dataset: "orders",
                c.reason: reason,
                "detail": "sample",
                "source_file": "orders-0000.jsonl",
                "source_line": n + 1,
                "raw": "{}",
            }
            handle.write(json.dumps(record) + "\n")
    return replace(settings, lake=lake, warehouse=replace(settings.warehouse, conn_id=sample_conn_id(root)))


def sample_conn_id(root: Path) -> str:
    """A connection id for the sample warehouse (unique per root, so tests cannot collide)."""
    return f"gx_sample_{zlib.crc32(str(root).encode()):08x}"


def sample_connection_uri(root: Path) -> str:
    """The value for AIRFLOW_CONN_<sample_conn_id(root) upper-cased>."""
    return json.dumps({"conn_type": "duckdb", "host": str(root / "warehouse.duckdb")})


def stage_for_audit(
    root: Path, run_date: str, settings: Settings, audit_schema: str, config: GxConfig | None = None
) -> None:
    """Split a clean sample into write-audit-publish's two schemas, each with what only it holds.

    The consumer schema keeps the published days before `run_date`. The audit schema gets a full
    rebuild in which every earlier day has three times its orders (history only the audit schema
    has: a baseline read from it would reject the day) and `run_date` has one extra order of a
    billion (a bad row only the audit schema has: the mean check must fail on it).
    """
    import duckdb

    config = config or GxConfig()
    t, c = config.tables, config.columns
    consumer = settings.warehouse.schema
    columns = (c.order_id, c.customer_id, c.order_date, c.order_status, c.order_total, c.created_at)
    copied = ", ".join((f"{c.order_id} || '-' || copy::varchar as {c.order_id}", *columns[1:]))
    day = f"date '{run_date}'"
    with duckdb.connect(str(root / "warehouse.duckdb")) as con:
        con.execute(f"create schema {audit_schema}")
        con.execute(
            f"create table {audit_schema}.{t.orders} as "
            f"select {copied} from {consumer}.{t.orders}, range(3) copies(copy) where {c.order_date} < {day} "
            f"union all select {', '.join(columns)} from {consumer}.{t.orders} where {c.order_date} = {day} "
            f"union all select 'O-bad', 'C000', {day}, 'pending', 1e9, {day}::timestamp"
        )
        con.execute(
            f"create table {audit_schema}.{t.orders_daily} as select {c.order_date}, "
            f"count(*) as {c.order_count}, round(avg({c.order_total}), 2) as {c.order_total_avg} "
            f"from {audit_schema}.{t.orders} group by {c.order_date}"
        )
        con.execute(f"create table {audit_schema}.{t.customers} as select * from {consumer}.{t.customers}")
        for table in (t.orders, t.orders_daily):
            con.execute(f"delete from {consumer}.{table} where {c.order_date} = {day}")
