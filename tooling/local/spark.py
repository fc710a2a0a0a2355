"""The local SparkSession that stands in for AWS Glue's Spark (both are Spark 3.5)."""

from __future__ import annotations

from typing import Any


def local_spark_session(app_name: str = "dataops-local", cores: int = 2) -> Any:
    """A SparkSession sized for this machine, with Glue 5.0's relevant defaults.

    Timestamps are UTC as on Glue, and shuffle partitions are few because local data is small:
    Spark's default of 200 would spend most of a local run on empty tasks.
    """
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(f"local[{cores}]")
        .appName(app_name)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(cores * 2))
        .config("spark.sql.sources.partitionOverwriteMode", "dynamic")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "4g")
        .getOrCreate()
    )
