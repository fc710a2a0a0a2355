"""Curated-zone fixture data for the dbt project, and a way to run dbt against it.

The Glue job writes the real curated zone; the dbt tests must not wait for it, so this module
writes a small curated zone by the same contract (docs/data-contracts.md): Parquet under
``<root>/<dataset>/dt=<day>/``, decimal(12,2) totals, UTC timestamps. The rows are plain Python
data, so tests can work out what the marts must hold without going through SQL.

``python -m tooling.dbt.fixtures --root DIR [--scenario clean|violations]`` writes it for
``make dbt-test`` and prints the dbt vars (JSON) that point a run at it.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from tooling.local.forkserver import ForkServer

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt"
DBT_EXECUTABLE = REPO_ROOT / ".venv-dbt" / "bin" / "dbt"
# What every invocation imports: dbt's CLI and the DuckDB adapter the local target loads.
DBT_PRELOAD = ("dbt.cli.main", "dbt.adapters.duckdb")
DAYS = ("2026-11-21", "2026-11-22", "2026-11-23")
# The data interval end of the run for the last day: every freshness test passes at this time.
AS_OF = "2026-11-24T00:00:00+00:00"
SCENARIOS = ("clean", "violations", "bad_load")


def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass(frozen=True)
class Order:
    order_id: str
    customer_id: str | None
    order_total: Decimal
    order_status: str
    item_count: int
    created_at: datetime
    updated_at: datetime

    @property
    def order_date(self) -> date:
        return self.created_at.date()


@dataclass(frozen=True)
class Customer:
    customer_id: str
    customer_name: str
    email: str
    country: str
    signup_at: datetime
    updated_at: datetime


def _order(
    oid: str, cid: str | None, total: str, status: str, items: int, created: str, updated: str = ""
) -> Order:
    return Order(oid, cid, Decimal(total), status, items, _ts(created), _ts(updated or created))


def _customer(cid: str, name: str, email: str, country: str, signup: str, updated: str = "") -> Customer:
    return Customer(cid, name, email, country, _ts(signup), _ts(updated or signup))


# Per load day, the records the source system sent that day. Orders o001, o003 and o006 come
# back on later days with a new status: the marts must keep only their latest version.
CUSTOMERS: dict[str, list[Customer]] = {
    "2026-11-21": [
        _customer("c001", "Ada Lovelace", "ada@example.com", "CA", "2026-10-01 09:00:00"),
        _customer("c002", "Bo Diddley", "bo@example.com", "US", "2026-10-02 10:00:00"),
        _customer("c003", "Cy Young", "cy@example.com", "CA", "2026-10-03 11:00:00"),
        _customer("c004", "Di Prince", "di@example.com", "FR", "2026-10-04 12:00:00"),
        _customer("c005", "Ed Wood", "ed@example.com", "CA", "2026-10-05 13:00:00"),
    ],
    "2026-11-22": [
        _customer("c002", "Bo D", "bo.d@example.com", "US", "2026-10-02 10:00:00", "2026-11-22 07:00:00"),
        _customer("c006", "Flo Jo", "flo@example.com", "US", "2026-11-22 06:00:00"),
    ],
    "2026-11-23": [
        _customer("c007", "Gus Grissom", "gus@example.com", "CA", "2026-11-23 05:00:00"),
    ],
}

ORDERS: dict[str, list[Order]] = {
    "2026-11-21": [
        _order("o001", "c001", "19.99", "pending", 1, "2026-11-21 08:00:00"),
        _order("o002", "c002", "120.00", "confirmed", 3, "2026-11-21 09:30:00"),
        _order("o003", "c003", "45.50", "shipped", 2, "2026-11-21 12:00:00"),
        _order("o004", "c001", "5.25", "delivered", 1, "2026-11-21 15:45:00"),
        _order("o005", "c004", "310.10", "cancelled", 6, "2026-11-21 23:59:59"),
    ],
    "2026-11-22": [
        _order("o001", "c001", "19.99", "shipped", 1, "2026-11-21 08:00:00", "2026-11-22 10:00:00"),
        _order("o006", "c005", "77.77", "pending", 2, "2026-11-22 00:00:00"),
        _order("o007", "c006", "12.00", "confirmed", 1, "2026-11-22 07:15:00"),
        _order("o008", "c002", "999.99", "shipped", 9, "2026-11-22 13:00:00"),
        _order("o009", "c003", "0.01", "delivered", 1, "2026-11-22 18:30:00"),
    ],
    "2026-11-23": [
        _order("o003", "c003", "45.50", "cancelled", 2, "2026-11-21 12:00:00", "2026-11-23 09:00:00"),
        _order("o006", "c005", "77.77", "delivered", 2, "2026-11-22 00:00:00", "2026-11-23 11:00:00"),
        _order("o010", "c007", "64.00", "pending", 4, "2026-11-23 06:00:00"),
        _order("o011", "c001", "8.80", "confirmed", 1, "2026-11-23 14:00:00"),
        _order("o012", "c006", "250.00", "shipped", 5, "2026-11-23 20:00:00"),
    ],
}

# What a broken upstream could send on the last day: each row breaks one rule of the contract.
VIOLATIONS: list[Order] = [
    _order("o900", "c001", "0.00", "confirmed", 1, "2026-11-23 10:00:00"),
    _order("o901", "c002", "1000000.00", "confirmed", 1, "2026-11-23 10:05:00"),
    _order("o902", "c003", "10.00", "lost", 1, "2026-11-23 10:10:00"),
    _order("o903", "c999", "10.00", "pending", 1, "2026-11-23 10:15:00"),
    _order("o904", None, "10.00", "pending", 1, "2026-11-23 10:20:00"),
]


# A wrong load of the last day that breaks no rule (it would pass the gate): a made-up order, a
# bogus update of an order the corrected load does not touch, and a bogus later version of one it does.
BAD_LOAD: list[Order] = [
    _order("o950", "c001", "42.00", "confirmed", 1, "2026-11-23 10:00:00"),
    _order("o002", "c002", "120.00", "cancelled", 3, "2026-11-21 09:30:00", "2026-11-23 08:00:00"),
    _order("o006", "c005", "77.77", "cancelled", 2, "2026-11-22 00:00:00", "2026-11-23 23:00:00"),
]


def orders_for(scenario: str) -> dict[str, list[Order]]:
    """The orders of each load day in a scenario."""
    if scenario not in SCENARIOS:
        raise ValueError(f"Unknown fixture scenario {scenario!r}: use one of {', '.join(SCENARIOS)}.")
    orders = {day: list(rows) for day, rows in ORDERS.items()}
    if scenario == "violations":
        orders[DAYS[-1]] += VIOLATIONS
    if scenario == "bad_load":
        orders[DAYS[-1]] = [o for o in orders[DAYS[-1]] if o.order_id != "o006"] + BAD_LOAD
    return orders


def latest_orders(days: tuple[str, ...] = DAYS, scenario: str = "clean") -> dict[str, Order]:
    """Each order's latest version over the given load days: what orders must hold."""
    latest: dict[str, Order] = {}
    for day in sorted(days):
        for order in orders_for(scenario)[day]:
            if order.order_id not in latest or order.updated_at >= latest[order.order_id].updated_at:
                latest[order.order_id] = order
    return latest


def write_curated(root: Path, scenario: str = "clean", days: tuple[str, ...] = DAYS) -> Path:
    """Write the curated zone for the given load days under root; return root."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    orders = orders_for(scenario)
    timestamp = pa.timestamp("us", tz="UTC")
    order_schema = pa.schema(
        [
            ("order_id", pa.string()),
            ("customer_id", pa.string()),
            ("order_total", pa.decimal128(12, 2)),
            ("currency", pa.string()),
            ("order_status", pa.string()),
            ("item_count", pa.int32()),
            ("created_at", timestamp),
            ("updated_at", timestamp),
            ("_source_file", pa.string()),
            ("_source_line", pa.int64()),
        ]
    )
    customer_schema = pa.schema(
        [
            ("customer_id", pa.string()),
            ("customer_name", pa.string()),
            ("email", pa.string()),
            ("country", pa.string()),
            ("signup_at", timestamp),
            ("updated_at", timestamp),
            ("_source_file", pa.string()),
            ("_source_line", pa.int64()),
        ]
    )
    for day in days:
        order_rows = [
            {**_as_row(order), "currency": "CAD", "_source_file": f"orders-{day}.jsonl", "_source_line": line}
            for line, order in enumerate(orders[day], start=1)
        ]
        customer_rows = [
            {**_as_row(customer), "_source_file": f"customers-{day}.jsonl", "_source_line": line}
            for line, customer in enumerate(CUSTOMERS[day], start=1)
        ]
        for dataset, rows, schema in (
            ("orders", order_rows, order_schema),
            ("customers", customer_rows, customer_schema),
        ):
            folder = root / dataset / f"dt={day}"
            folder.mkdir(parents=True, exist_ok=True)
            pq.write_table(pa.Table.from_pylist(rows, schema=schema), folder / "part-00000.parquet")
    return root


def _as_row(record: Order | Customer) -> dict[str, Any]:
    return dict(record.__dict__)


def dbt_command(
    command: list[str],
    *,
    duckdb_path: Path,
    target_path: Path,
    curated_root: Path,
    dbt_vars: dict[str, Any] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the dbt CLI on the project against a throwaway DuckDB file and target directory.

    Through a warm dbt interpreter that forks one child per invocation (tooling/local/forkserver.py):
    the same `dbt` entry point, argv and environment, without importing dbt again each time.
    """
    env = {**os.environ, "DO_NOT_TRACK": "1", "DATAOPS_DUCKDB_PATH": str(duckdb_path)}
    all_vars = {"curated_root": str(curated_root), "as_of": AS_OF, **(dbt_vars or {})}
    argv = [
        str(DBT_EXECUTABLE),
        *command,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target",
        "local",
        "--target-path",
        str(target_path),
        "--log-path",
        str(target_path / "logs"),
        "--vars",
        json.dumps(all_vars),
    ]
    target_path.mkdir(parents=True, exist_ok=True)
    return _warm_dbt().run(argv, env, output=target_path / f"dbt-{command[0]}.out")


@functools.cache
def _warm_dbt() -> ForkServer:
    log = REPO_ROOT / ".local" / "forkserver" / f"dbt-{os.getpid()}.log"
    return ForkServer(DBT_EXECUTABLE.parent / "python", "dbt.cli.main:cli", DBT_PRELOAD, log)


def run_statuses(target_path: Path) -> dict[str, str]:
    """Node name -> status from the last invocation's run_results.json (unit tests by test name)."""
    results = json.loads((target_path / "run_results.json").read_text())["results"]
    statuses: dict[str, str] = {}
    for result in results:
        kind, _, *name = result["unique_id"].split(".")
        # test.<package>.<name>.<hash>, unit_test.<package>.<model>.<name>, model.<package>.<name>
        statuses[name[1] if kind == "unit_test" else name[0]] = result["status"]
    return statuses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the curated-zone fixture for the dbt tests.")
    parser.add_argument("--root", type=Path, required=True, help="directory to write the curated zone into")
    parser.add_argument("--scenario", choices=SCENARIOS, default="clean")
    args = parser.parse_args(argv)
    root = write_curated(args.root.resolve(), args.scenario)
    print(f"curated fixture ({args.scenario}) written to {root}", file=sys.stderr)
    print(json.dumps({"curated_root": str(root), "as_of": AS_OF}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
