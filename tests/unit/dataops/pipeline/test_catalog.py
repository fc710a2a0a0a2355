"""Curated partitions registered in the Glue Data Catalog (the moto server's), read back from it.

Each test writes Parquet as the Glue job lays it out (`<dataset>/dt=<day>/part-*.parquet`) into
its own lake directory and registers into its own catalog database, so tests share nothing.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from include.dataops.pipeline.catalog import CatalogError, glue_type, register_day
from include.dataops.settings import Settings

DAY, NEXT_DAY = "2026-11-23", "2026-11-24"
ORDERS = pa.schema(
    [
        ("order_id", pa.string()),
        ("item_count", pa.int32()),
        ("order_total", pa.decimal128(12, 2)),
        ("created_at", pa.timestamp("us", tz="UTC")),
        ("order_date", pa.date32()),
    ]
)


@pytest.fixture
def lake(tmp_path: Path, settings: Settings, aws_endpoint: str) -> Iterator[tuple[Settings, Any]]:
    """Settings pointing at a fresh lake directory and a fresh catalog database, and a Glue client."""
    database = f"curated_{uuid.uuid4().hex[:8]}"
    glue = boto3.client("glue", region_name=settings.aws_region, endpoint_url=aws_endpoint)
    glue.create_database(DatabaseInput={"Name": database})
    scoped = dataclasses.replace(
        settings,
        lake=dataclasses.replace(settings.lake, curated=str(tmp_path / "curated")),
        glue=dataclasses.replace(settings.glue, catalog_database=database),
    )
    yield scoped, glue
    glue.delete_database(Name=database)


def write_day(settings: Settings, dataset: str, day: str, schema: pa.Schema) -> Path:
    directory = Path(settings.lake.curated) / dataset / f"dt={day}"
    directory.mkdir(parents=True)
    row = {
        "order_id": "o-1",
        "item_count": 2,
        "order_total": Decimal("12.50"),
        "created_at": pa.scalar(0, pa.timestamp("us", tz="UTC")).as_py(),
        "order_date": pa.scalar(0, pa.date32()).as_py(),
        "note": "gift",
    }
    table = pa.Table.from_pylist([{name: row[name] for name in schema.names}], schema=schema)
    pq.write_table(table, directory / "part-00000.snappy.parquet")
    return directory


def partition(glue: Any, settings: Settings, table: str, day: str) -> dict[str, Any]:
    return glue.get_partition(
        DatabaseName=settings.glue.catalog_database, TableName=table, PartitionValues=[day]
    )["Partition"]


def test_the_days_partition_has_the_parquet_columns_and_location(lake):
    settings, glue = lake
    directory = write_day(settings, "orders", DAY, ORDERS)

    register_day(settings, DAY, ["orders"])

    registered = partition(glue, settings, "orders", DAY)["StorageDescriptor"]
    parquet = pq.read_schema(next(directory.glob("*.parquet")))
    assert [c["Name"] for c in registered["Columns"]] == parquet.names
    assert [c["Type"] for c in registered["Columns"]] == [
        "string",
        "int",
        "decimal(12,2)",
        "timestamp",
        "date",
    ]
    assert registered["Location"] == f"{directory}/"
    table = glue.get_table(DatabaseName=settings.glue.catalog_database, Name="orders")["Table"]
    assert table["PartitionKeys"] == [{"Name": "dt", "Type": "string"}]
    assert table["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")


def test_a_rerun_re_registers_the_day_and_a_new_column_reaches_the_table(lake):
    settings, glue = lake
    write_day(settings, "orders", DAY, ORDERS)
    register_day(settings, DAY, ["orders"])
    register_day(settings, DAY, ["orders"])
    wider = ORDERS.append(pa.field("note", pa.string()))
    write_day(settings, "orders", NEXT_DAY, wider)

    register_day(settings, NEXT_DAY, ["orders"])

    database = settings.glue.catalog_database
    days = glue.get_partitions(DatabaseName=database, TableName="orders")["Partitions"]
    assert sorted(p["Values"][0] for p in days) == [DAY, NEXT_DAY]
    table = glue.get_table(DatabaseName=database, Name="orders")["Table"]
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]] == wider.names


def test_a_day_with_no_parquet_registers_nothing(lake):
    settings, glue = lake
    (Path(settings.lake.curated) / "customers" / f"dt={DAY}").mkdir(parents=True)

    assert register_day(settings, DAY, ["customers"]) == {"customers": None}
    assert glue.get_tables(DatabaseName=settings.glue.catalog_database)["TableList"] == []


def test_an_unknown_parquet_type_is_a_one_line_error_naming_the_column():
    with pytest.raises(CatalogError, match=r"column 'tags' has Parquet type list<item: string>.*glue_type"):
        glue_type("tags", pa.list_(pa.string()))
