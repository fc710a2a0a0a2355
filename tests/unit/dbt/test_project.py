"""The dbt project on real DuckDB over a curated-zone fixture: the marts hold what the curated
data says, the seed's contract catches a broken upstream, and incremental runs are idempotent.

Every scenario runs dbt in its own temporary DuckDB file and target directory, never the real
.local/warehouse.duckdb or dbt/target.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tooling.dbt.fixtures import (
    CUSTOMERS,
    DAYS,
    dbt_command,
    latest_orders,
    run_statuses,
    write_curated,
)

pytestmark = pytest.mark.integration

MARTS = ("orders", "orders_daily", "customers")
STATUSES = ("pending", "confirmed", "shipped", "delivered", "cancelled")


class Warehouse:
    """One throwaway warehouse: a curated fixture, a DuckDB file and a dbt target directory."""

    def __init__(self, root: Path, scenario: str = "clean", days: tuple[str, ...] = DAYS) -> None:
        self.curated = write_curated(root / "curated", scenario, days)
        self.duckdb_path = root / "warehouse.duckdb"
        self.target = root / "target"

    def dbt(self, *command: str, **dbt_vars: Any) -> subprocess.CompletedProcess[str]:
        return dbt_command(
            list(command),
            duckdb_path=self.duckdb_path,
            target_path=self.target,
            curated_root=self.curated,
            dbt_vars=dbt_vars,
        )

    def rows(self, table: str) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.duckdb_path), read_only=True) as con:
            return con.sql(f"select * from analytics.{table} order by 1").fetchall()

    def dicts(self, table: str) -> list[dict[str, Any]]:
        with duckdb.connect(str(self.duckdb_path), read_only=True) as con:
            relation = con.sql(f"select * from analytics.{table} order by 1")
            return [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        return {table: self.rows(table) for table in MARTS}


def _ok(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """A full `dbt build` (unit tests, models, data tests) over all three fixture days."""
    warehouse = Warehouse(tmp_path_factory.mktemp("dbt_clean"))
    _ok(warehouse.dbt("build"))
    return warehouse


def test_build_passes_every_unit_and_data_test(clean: Warehouse) -> None:
    statuses = run_statuses(clean.target)
    assert set(statuses.values()) == {"success", "pass"}
    assert {"orders", "orders_daily", "customers"} <= set(statuses)
    unit_tests = [name for name in statuses if name.startswith("test_")]
    assert len(unit_tests) >= 5


def test_every_built_column_is_documented(clean: Warehouse) -> None:
    manifest = json.loads((clean.target / "manifest.json").read_text())
    documented = {
        node["name"]: set(node["columns"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }
    with duckdb.connect(str(clean.duckdb_path), read_only=True) as con:
        built = con.sql(
            "select table_name, column_name from information_schema.columns where table_schema = 'analytics'"
        ).fetchall()
    assert {table for table, _ in built} == set(documented)
    assert {(table, column) for table, column in built} == {
        (model, column) for model, columns in documented.items() for column in columns
    }


def test_orders_holds_each_orders_latest_version(clean: Warehouse) -> None:
    expected = latest_orders()
    rows = clean.dicts("orders")
    assert [row["order_id"] for row in rows] == sorted(expected)
    for row in rows:
        order = expected[row["order_id"]]
        assert (row["order_status"], row["order_total"], row["order_date"]) == (
            order.order_status,
            order.order_total,
            order.order_date,
        )


def test_orders_daily_matches_the_curated_data(clean: Warehouse) -> None:
    by_day: dict[Any, list[Any]] = {}
    for order in latest_orders().values():
        by_day.setdefault(order.order_date, []).append(order)
    rows = clean.dicts("orders_daily")
    assert [row["order_date"] for row in rows] == sorted(by_day)
    for row in rows:
        orders = by_day[row["order_date"]]
        totals = [order.order_total for order in orders]
        statuses = Counter(order.order_status for order in orders)
        assert row["order_count"] == len(orders)
        assert row["customer_count"] == len({order.customer_id for order in orders})
        assert row["item_count"] == sum(order.item_count for order in orders)
        assert row["order_total_sum"] == sum(totals)
        average = (sum(totals) / len(totals)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert row["order_total_avg"] == average
        assert (row["order_total_min"], row["order_total_max"]) == (min(totals), max(totals))
        assert {status: row[f"{status}_count"] for status in STATUSES} == {
            status: statuses[status] for status in STATUSES
        }


def test_customers_has_one_row_per_customer_with_lifetime_stats(clean: Warehouse) -> None:
    customer_ids = {customer.customer_id for day in DAYS for customer in CUSTOMERS[day]}
    rows = {row["customer_id"]: row for row in clean.dicts("customers")}
    assert set(rows) == customer_ids
    assert rows["c002"]["email"] == "bo.d@example.com"
    orders = latest_orders().values()
    for customer_id, row in rows.items():
        mine = [order for order in orders if order.customer_id == customer_id]
        assert row["order_count"] == len(mine)
        assert row["lifetime_value"] == sum(
            (order.order_total for order in mine if order.order_status != "cancelled"), Decimal("0")
        )


@pytest.fixture(scope="module")
def violations(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A broken upstream: bad totals, an unknown status, a held order and a null customer, stale data."""
    warehouse = Warehouse(tmp_path_factory.mktemp("dbt_violations"), scenario="violations")
    stale = "2026-11-26T00:00:00Z"
    _ok(warehouse.dbt("run", as_of=stale))
    warehouse.dbt("test", "--exclude", "test_type:unit", as_of=stale)
    return run_statuses(warehouse.target)


@pytest.mark.parametrize(
    "test_prefix",
    [
        "accepted_range_orders_order_total",
        "accepted_values_orders",
        "not_null_orders_customer_id",
        "recency_orders",
    ],
)
def test_contract_catches_each_violation(violations: dict[str, str], test_prefix: str) -> None:
    matching = {name: status for name, status in violations.items() if name.startswith(test_prefix)}
    assert matching, f"no test named {test_prefix}*"
    assert set(matching.values()) == {"fail"}


def test_contract_does_not_blame_what_is_fine(violations: dict[str, str]) -> None:
    # o903's customer c999 never arrived: the order is held, so every published order has its customer.
    assert {s for name, s in violations.items() if name.startswith("relationships_orders")} == {"pass"}
    assert violations["unique_orders_order_id"] == "pass"
    assert violations["not_null_orders_order_id"] == "pass"
    assert violations["unique_orders_daily_order_date"] == "pass"


def test_an_order_held_past_the_limit_warns_and_fails_nothing(violations: dict[str, str]) -> None:
    """o903 was loaded on 2026-11-23 and its customer never came: three days later it warns."""
    assert violations["orders_held_too_long"] == "warn"


def test_a_nightly_run_warns_only_for_the_load_day_that_reaches_the_limit(tmp_path: Path) -> None:
    """With run_date, the held-order check reads one old load day, never the curated history."""
    warehouse = Warehouse(tmp_path, days=DAYS[-1:])
    _ok(warehouse.dbt("run", "--select", "stg_orders", "stg_customers"))
    last_day_customers = {customer.customer_id for customer in CUSTOMERS[DAYS[-1]]}
    held = [o for o in latest_orders(DAYS[-1:]).values() if o.customer_id not in last_day_customers]
    assert held
    check = ("test", "--select", "orders_held_too_long")

    _ok(warehouse.dbt(*check, run_date="2026-11-25", held_order_warn_days=2))
    (result,) = json.loads((warehouse.target / "run_results.json").read_text())["results"]
    assert (result["status"], result["failures"]) == ("warn", len(held))
    _ok(warehouse.dbt(*check, run_date="2026-11-24", held_order_warn_days=2))
    assert run_statuses(warehouse.target) == {"orders_held_too_long": "pass"}


def test_bad_run_date_is_a_one_line_error(clean: Warehouse) -> None:
    done = clean.dbt("compile", "--select", "orders", run_date="23/11/2026")
    assert done.returncode != 0
    assert 'error: var run_date is "23/11/2026", not a day: pass it as YYYY-MM-DD' in done.stdout


@pytest.mark.e2e
def test_daily_runs_are_idempotent_and_match_a_full_build(
    clean: Warehouse, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Day by day as the DAG runs it: rerunning a day, or backfilling an older one, changes nothing,
    and a full refresh on any day rebuilds the same marts from every partition."""
    warehouse = Warehouse(tmp_path_factory.mktemp("dbt_incremental"), days=DAYS[:2])
    _ok(warehouse.dbt("run", run_date=DAYS[1]))
    assert {row[0] for row in warehouse.rows("orders")} == set(latest_orders(DAYS[:2]))

    write_curated(warehouse.curated, days=DAYS[2:])
    _ok(warehouse.dbt("run", run_date=DAYS[2]))
    after_last_day = warehouse.snapshot()
    assert after_last_day == clean.snapshot()

    _ok(warehouse.dbt("run", run_date=DAYS[2]))
    assert warehouse.snapshot() == after_last_day

    _ok(warehouse.dbt("run", run_date=DAYS[0]))
    assert warehouse.snapshot() == after_last_day

    _ok(warehouse.dbt("run", "--full-refresh", run_date=DAYS[0]))
    assert warehouse.snapshot() == after_last_day


def test_a_rerun_after_a_bad_load_leaves_what_a_clean_run_leaves(clean: Warehouse, tmp_path: Path) -> None:
    """The bad load passed every check and was published; its corrected rerun must leave no trace
    of it: not its made-up order, nor its bogus versions (later than the corrected ones)."""
    warehouse = Warehouse(tmp_path, days=DAYS[:2])
    _ok(warehouse.dbt("run", run_date=DAYS[1]))
    write_curated(warehouse.curated, "bad_load", DAYS[2:])
    _ok(warehouse.dbt("run", run_date=DAYS[2]))
    bad = warehouse.snapshot()
    assert "o950" in {row[0] for row in bad["orders"]} and bad != clean.snapshot()

    write_curated(warehouse.curated, days=DAYS[2:])
    _ok(warehouse.dbt("run", run_date=DAYS[2]))
    assert warehouse.snapshot() == clean.snapshot()


@pytest.mark.e2e
def test_days_loaded_in_reverse_give_the_marts_of_a_full_build_and_a_second_pass_changes_nothing(
    clean: Warehouse, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The hold rule is order-free: an order whose customer arrives on a later load day (or on
    an earlier day not loaded yet) is held, then published by the day that brings its customer."""
    warehouse = Warehouse(tmp_path_factory.mktemp("dbt_reverse"), days=DAYS[-1:])
    _ok(warehouse.dbt("run", run_date=DAYS[-1]))
    last_day_customers = {customer.customer_id for customer in CUSTOMERS[DAYS[-1]]}
    assert {row["order_id"] for row in warehouse.dicts("orders")} == {
        order.order_id
        for order in latest_orders(DAYS[-1:]).values()
        if order.customer_id in last_day_customers
    }
    for day in reversed(DAYS[:-1]):
        write_curated(warehouse.curated, days=(day,))
        _ok(warehouse.dbt("run", run_date=day))
    in_reverse = warehouse.snapshot()
    assert in_reverse == clean.snapshot()

    for day in DAYS:
        _ok(warehouse.dbt("run", run_date=day))
    assert warehouse.snapshot() == in_reverse


def test_with_an_audit_schema_every_model_is_built_there_and_nothing_in_the_target_schema(
    tmp_path: Path,
) -> None:
    """Write-audit-publish's routing (macros/generate_schema_name.sql): the var, not the target."""
    warehouse = Warehouse(tmp_path, days=DAYS[:1])
    _ok(warehouse.dbt("run", audit_schema="audit_20261121_0a1b2c3d"))
    with duckdb.connect(str(warehouse.duckdb_path), read_only=True) as con:
        built = con.sql(
            "select table_schema, table_name from information_schema.tables where table_catalog = 'warehouse'"
        ).fetchall()
    manifest = json.loads((warehouse.target / "manifest.json").read_text())
    models = {node["name"] for node in manifest["nodes"].values() if node["resource_type"] == "model"}
    assert set(built) == {("audit_20261121_0a1b2c3d", model) for model in models}
