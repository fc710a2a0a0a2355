"""What GX validates, read for real: marts from DuckDB through an Airflow connection, the lake from disk."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import pytest

from include.dataops.gx.config import GxConfig
from include.dataops.gx.data import HISTORY, fetch_frames, read_quarantine
from include.dataops.gx.results import GxCheckError
from include.dataops.gx.suites import ORDERS_DAILY_SUITE, ORDERS_SUITE
from include.dataops.settings import Lake, Settings

CONFIG = GxConfig()
RUN_DATE = "2031-03-10"
AUDIT = "analytics_audit"


@pytest.fixture
def two_schemas(tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Consumer: published days around the run's day, itself among them (a rerun). Audit: this run's build.

    Every day's order count is distinct, so each row read names the schema it came from.
    """
    consumer = settings.warehouse.schema
    path = tmp_path / "warehouse.duckdb"
    days = {
        consumer: {"2031-03-08": 100, "2031-03-09": 110, RUN_DATE: 120, "2031-03-11": 130},
        AUDIT: {"2031-03-09": 9_000, RUN_DATE: 7},
    }
    with duckdb.connect(str(path)) as con:
        for schema, counts in days.items():
            con.execute(f"create schema {schema}")
            con.execute(
                f"create table {schema}.orders_daily "
                "(order_date date, order_count int, order_total_avg double)"
            )
            con.execute(
                f"create table {schema}.orders (order_id varchar, order_date date, order_total double)"
            )
            for day, count in counts.items():
                con.execute(
                    f"insert into {schema}.orders_daily values (?, ?, ?)",
                    [date.fromisoformat(day), count, 50.0],
                )
                con.execute(
                    f"insert into {schema}.orders select '{schema}-' || i, ?, 50.0 from range(?) t(i)",
                    [date.fromisoformat(day), count],
                )
    monkeypatch.setenv("AIRFLOW_CONN_GX_TWO_SCHEMAS", json.dumps({"conn_type": "duckdb", "host": str(path)}))
    lake = Lake(raw=str(tmp_path / "raw"), curated=str(tmp_path / "curated"), quarantine=str(tmp_path / "q"))
    return replace(settings, lake=lake, warehouse=replace(settings.warehouse, conn_id="gx_two_schemas"))


def test_marts_under_test_come_from_the_audit_schema_history_from_published_days_before(
    two_schemas: Settings,
) -> None:
    frames = fetch_frames(
        two_schemas, RUN_DATE, CONFIG, marts_schema=AUDIT, history_schema=two_schemas.warehouse.schema
    )

    assert frames[ORDERS_DAILY_SUITE]["order_count"].tolist() == [7]
    assert len(frames[ORDERS_SUITE]) == 7
    assert set(frames[ORDERS_SUITE]["order_id"].str.split("-").str[0]) == {AUDIT}
    history = frames[HISTORY]
    # Only the consumer's days before the run: not the audit outlier, not the day itself, not later.
    assert history["order_date"].astype(str).tolist() == ["2031-03-08", "2031-03-09"]
    assert history["order_count"].tolist() == [100, 110]


def test_a_schema_that_is_not_a_plain_name_is_refused_before_any_query(two_schemas: Settings) -> None:
    with pytest.raises(GxCheckError, match=r"schema 'audit; drop' is not a plain name: use letters"):
        fetch_frames(two_schemas, RUN_DATE, CONFIG, marts_schema="audit; drop", history_schema="analytics")


def test_read_quarantine_across_datasets_and_when_empty(tmp_path: Path) -> None:
    assert read_quarantine(str(tmp_path), "2026-11-23", CONFIG).empty
    for dataset, reason in (("orders", "wrong_type"), ("customers", "missing_field")):
        folder = tmp_path / dataset / "dt=2026-11-23"
        folder.mkdir(parents=True)
        record = {"dataset": dataset, "reason": reason, "detail": "d", "source_file": "f", "source_line": 1}
        (folder / "part-0.json").write_text(json.dumps({**record, "raw": "{"}) + "\n")
    frame = read_quarantine(str(tmp_path), "2026-11-23", CONFIG)
    assert sorted(frame["reason"]) == ["missing_field", "wrong_type"]
    assert list(frame.columns) == ["dataset", "reason"]
