"""The local Spark that stands in for AWS Glue's Spark (both are Spark 3.5): one configuration.

Both the test session (local_spark_session) and the local Glue runner (tooling/local/glue_job.py,
through spark_submit_args) use local_conf, so a test sees the Spark a local Glue run sees.
"""

from __future__ import annotations

from typing import Any

DRIVER_MEMORY = "4g"
# On 2 cores a small run's time is mostly JIT compilation competing with the job: the C1 compiler
# alone halves a 10k-order run (22 s against 55 s, measured), but makes 1M orders 40% slower (157 s
# against 113 s), where C2's faster code pays for itself. Below this much raw input, C1 only.
QUICK_JIT_MAX_BYTES = 64 * 2**20
QUICK_JIT = "-XX:TieredStopAtLevel=1"


def local_conf(cores: int = 2, event_log_dir: str | None = None, quick_jit: bool = True) -> dict[str, str]:
    """Glue 5.0's relevant defaults, sized for this machine.

    Timestamps are UTC as on Glue. One shuffle partition per core: Spark's default of 200 (and
    anything above the core count) spends a local run on tasks that wait for a free core. No UI,
    no console progress bar. `event_log_dir` records the Spark event log there (the Glue profile).
    `quick_jit`: the C1 JIT compiler only, for small inputs (QUICK_JIT_MAX_BYTES).
    """
    conf = {
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": str(cores),
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.extraJavaOptions": f"-XX:+UseParallelGC {QUICK_JIT if quick_jit else ''}".strip(),
    }
    if event_log_dir:
        conf |= {"spark.eventLog.enabled": "true", "spark.eventLog.dir": f"file://{event_log_dir}"}
    return conf


def spark_submit_args(cores: int = 2, event_log_dir: str | None = None, input_bytes: int = 0) -> str:
    """PYSPARK_SUBMIT_ARGS for a script that builds its own context, as a Glue script does."""
    conf = local_conf(cores, event_log_dir, quick_jit=input_bytes <= QUICK_JIT_MAX_BYTES)
    confs = " ".join(f"--conf '{key}={value}'" for key, value in conf.items())
    return f"--master local[{cores}] --driver-memory {DRIVER_MEMORY} {confs} pyspark-shell"


def local_spark_session(app_name: str = "dataops-local", cores: int = 2) -> Any:
    """A SparkSession on this machine with local_conf (the tests' shared session)."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(f"local[{cores}]").appName(app_name)
    builder = builder.config("spark.driver.memory", DRIVER_MEMORY)
    for key, value in local_conf(cores).items():
        builder = builder.config(key, value)
    return builder.getOrCreate()
