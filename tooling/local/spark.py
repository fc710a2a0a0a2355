"""The local Spark that stands in for AWS Glue's Spark (both are Spark 3.5): one configuration.

Both the test session (local_spark_session) and the local Glue runner (tooling/local/glue_job.py,
through spark_submit_args) use local_conf, so a test sees the Spark a local Glue run sees.
"""

from __future__ import annotations

from typing import Any

DRIVER_MEMORY = "4g"
# The JVM's fixed cost on a small machine is mostly JIT compilation competing with the job for
# the same 2 cores: the C1 compiler alone starts the job sooner and does not slow a local run.
DRIVER_JAVA_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseParallelGC"


def local_conf(cores: int = 2, event_log_dir: str | None = None) -> dict[str, str]:
    """Glue 5.0's relevant defaults, sized for this machine.

    Timestamps are UTC as on Glue. One shuffle partition per core: Spark's default of 200 (and
    anything above the core count) spends a local run on tasks that wait for a free core. No UI,
    no console progress bar. `event_log_dir` records the Spark event log there (the Glue profile).
    """
    conf = {
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": str(cores),
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.extraJavaOptions": DRIVER_JAVA_OPTIONS,
    }
    if event_log_dir:
        conf |= {"spark.eventLog.enabled": "true", "spark.eventLog.dir": f"file://{event_log_dir}"}
    return conf


def spark_submit_args(cores: int = 2, event_log_dir: str | None = None) -> str:
    """PYSPARK_SUBMIT_ARGS for a script that builds its own context, as a Glue script does."""
    confs = " ".join(f"--conf '{key}={value}'" for key, value in local_conf(cores, event_log_dir).items())
    return f"--master local[{cores}] --driver-memory {DRIVER_MEMORY} {confs} pyspark-shell"


def local_spark_session(app_name: str = "dataops-local", cores: int = 2) -> Any:
    """A SparkSession on this machine with local_conf (the tests' shared session)."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(f"local[{cores}]").appName(app_name)
    builder = builder.config("spark.driver.memory", DRIVER_MEMORY)
    for key, value in local_conf(cores).items():
        builder = builder.config(key, value)
    return builder.getOrCreate()
