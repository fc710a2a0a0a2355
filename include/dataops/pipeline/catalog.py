"""Register the day's curated partitions in the Glue Data Catalog, so Redshift Spectrum reads them.

dbt's Redshift sources are a Spectrum external schema over the catalog database
(infra/terraform/modules/redshift): a day the Glue job wrote but nobody registered is invisible
there. After reconcile passed, each curated dataset's table gets the day's `dt` partition, with the
columns read from the Parquet footer the job wrote; a table not yet in the catalog is created, and
one whose columns changed is updated to the new columns first. Reruns of a day re-register it.
Locally the catalog is moto's, and the partition locations are the local lake's paths.
"""

from __future__ import annotations

from typing import Any

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq

from include.dataops.settings import Settings

PARTITION_KEY = "dt"
PARQUET_FORMAT = {
    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
}


class CatalogError(RuntimeError):
    """A partition could not be registered; the message names the table and what to do."""


def glue_type(column: str, arrow_type: pa.DataType) -> str:
    """The Hive type the Glue catalog (and Spectrum) gives a Parquet column of this Arrow type."""
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "string"
    if pa.types.is_decimal(arrow_type):
        return f"decimal({arrow_type.precision},{arrow_type.scale})"
    if pa.types.is_timestamp(arrow_type):
        return "timestamp"
    named = {
        pa.int8(): "tinyint",
        pa.int16(): "smallint",
        pa.int32(): "int",
        pa.int64(): "bigint",
        pa.float32(): "float",
        pa.float64(): "double",
        pa.bool_(): "boolean",
        pa.date32(): "date",
    }
    if arrow_type in named:
        return named[arrow_type]
    raise CatalogError(
        f"column {column!r} has Parquet type {arrow_type}, which the catalog mapping does not know: "
        "add it to include/dataops/pipeline/catalog.py's glue_type."
    )


def parquet_columns(location: str) -> list[dict[str, str]] | None:
    """The columns of the first Parquet file under `location`; None when the day wrote no file."""
    fs, root = fsspec.core.url_to_fs(location)
    files = sorted(fs.glob(f"{root.rstrip('/')}/*.parquet"))
    if not files:
        return None
    with fs.open(files[0], "rb") as handle:
        schema = pq.read_schema(handle)
    return [{"Name": field.name, "Type": glue_type(field.name, field.type)} for field in schema]


def register_day(settings: Settings, run_date: str, datasets: list[str]) -> dict[str, Any]:
    """Register `run_date`'s partition of each curated dataset; what was registered, per table."""
    from airflow.providers.amazon.aws.hooks.glue_catalog import GlueCatalogHook

    glue = GlueCatalogHook(aws_conn_id=settings.aws_conn_id, region_name=settings.aws_region).conn
    database = settings.glue.catalog_database
    registered: dict[str, Any] = {}
    for table in datasets:
        table_root = f"{settings.lake.curated.rstrip('/')}/{table}"
        location = f"{table_root}/{PARTITION_KEY}={run_date}/"
        columns = parquet_columns(location)
        if columns is None:
            registered[table] = None
            continue
        _ensure_table(glue, database, table, table_root, columns)
        partition = {
            "Values": [run_date],
            "StorageDescriptor": {"Columns": columns, "Location": location, **PARQUET_FORMAT},
        }
        errors = glue.batch_create_partition(
            DatabaseName=database, TableName=table, PartitionInputList=[partition]
        ).get("Errors", [])
        if errors and errors[0]["ErrorDetail"]["ErrorCode"] == "AlreadyExistsException":
            glue.update_partition(
                DatabaseName=database,
                TableName=table,
                PartitionValueList=[run_date],
                PartitionInput=partition,
            )
        elif errors:
            detail = errors[0]["ErrorDetail"]
            raise CatalogError(
                f"registering {database}.{table} {PARTITION_KEY}={run_date} failed "
                f"({detail['ErrorCode']}: {detail.get('ErrorMessage', '')}): fix it and clear the task."
            )
        registered[table] = {"location": location, "columns": [c["Name"] for c in columns]}
    return registered


def _ensure_table(glue: Any, database: str, table: str, root: str, columns: list[dict[str, str]]) -> None:
    """Create the dataset's external table, or bring its columns up to the day's Parquet schema."""
    table_input = {
        "Name": table,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "parquet", "EXTERNAL": "TRUE"},
        "PartitionKeys": [{"Name": PARTITION_KEY, "Type": "string"}],
        "StorageDescriptor": {"Columns": columns, "Location": f"{root}/", **PARQUET_FORMAT},
    }
    try:
        current = glue.get_table(DatabaseName=database, Name=table)["Table"]
    except glue.exceptions.EntityNotFoundException:
        glue.create_table(DatabaseName=database, TableInput=table_input)
        return
    if current["StorageDescriptor"].get("Columns") != columns:
        glue.update_table(DatabaseName=database, TableInput=table_input)
