"""GlueContext as on AWS Glue, reduced to what our scripts use: the SparkSession it wraps."""

from __future__ import annotations

from pyspark.context import SparkContext
from pyspark.sql import SparkSession


class GlueContext:
    def __init__(self, spark_context: SparkContext) -> None:
        self.spark_session = SparkSession(spark_context)
