"""The nightly orders pipeline: raw → Glue → dbt (Cosmos) → Great Expectations → gate → publish."""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import Asset, CronDataIntervalTimetable, Param, dag, task
from cosmos import DbtTaskGroup

from include.dataops.airflow import cosmos as dbt_cosmos
from include.dataops.airflow.defaults import dag_args, default_args
from include.dataops.airflow.glue import glue_transform
from include.dataops.gx.checks import gx_validate_marts_task
from include.dataops.pipeline import orders as orders_pipeline
from include.dataops.settings import load_settings

settings = load_settings()

CURATED = Asset("dataops.orders.curated")
MARTS = Asset("dataops.orders.marts")
RUN_DATE = "{{ ti.xcom_pull(task_ids='resolve_run_date')['run_date'] }}"
AS_OF = "{{ ti.xcom_pull(task_ids='resolve_run_date')['as_of'] }}"

DOC = """
### orders_nightly: the nightly orders load

Runs at 03:00 UTC for the previous day (the data interval), one run at a time. Every failing
task sends an SNS alert to the alerts topic. What each step does, and what to do when it fails:

- **resolve_run_date**: picks the day, `params.run_date` or the data interval's day.
  Bad params are rejected before the run starts.
- **wait_for_raw_partition**: waits, in reschedule mode so no worker is held, until `orders/`
  and `customers/` for the day land in the raw zone. After the SLA it times out and alerts:
  check the source export, then clear the task.
- **glue_transform**: the Glue job (local Spark on the embedded default): raw → curated Parquet,
  bad records → quarantine, and a run manifest. The job is idempotent: read its log, fix, clear.
- **reconcile**: read == written + quarantined + deduplicated, and the quarantine rate under the
  threshold. Look at the day's quarantine reasons; fix the source, or the threshold in settings.
- **dbt**: Cosmos runs `dbt build` per model (the model, then its tests); a failed test stops
  its downstream models. The task log has the compiled SQL of the failing test.
- **gx_validate_marts**: Great Expectations on the marts: row counts against history, the
  order_total distribution, datasets dbt does not manage. The task log links the Data Docs.
- **quality_gate**: combines reconciliation, dbt test results and GX, and names every failing
  check in its error and its SNS alert. Nothing is published when it fails.
- **publish**: marks the day's marts published (an asset event and a marker in the artifacts
  bucket) only after the gate passed.
- **report**: CloudWatch metrics and the SNS summary. The data is already published if it fails.
- **dbt_timing**: after dbt, pass or fail: each model's time against its rolling median (rule in
  include/dataops/observability/dbt_timing.py); a regression pages. Compare the model's compiled
  SQL, row counts and warehouse load with the last good run.
- **run timed out**: the run passed `monitoring.dagrun_timeout_minutes`; its running tasks were
  skipped. Find the slow task in the grid view, fix or scale it, then clear the run.
- **data stale**: a table's DataFreshness passed its SLA (dbt `meta.freshness.sla_hours`). Check
  that last night's run published; if it failed, fix it and rerun that day.

Pages (alerts topic) say `Severity: PAGE` and name the entry above to read; notices (the success
summary) go to the notifications topic.

Manual runs: `run_date` (YYYY-MM-DD) reprocesses a day, `full_refresh` rebuilds incremental marts,
`dbt_select` (e.g. `orders_daily+` or `+customers`) runs only part of the dbt project.
"""


@dag(
    dag_id="orders_nightly",
    schedule=CronDataIntervalTimetable("0 3 * * *", timezone="UTC"),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    max_active_tasks=settings.concurrency.max_active_tasks,
    default_args=default_args(),
    **dag_args(),
    tags=["orders", "nightly", "glue", "dbt", "gx"],
    doc_md=DOC,
    params={
        "run_date": Param(
            None,
            type=["null", "string"],
            pattern=r"^\d{4}-\d{2}-\d{2}$",
            description="Day to process (YYYY-MM-DD). Empty: the data interval's day.",
        ),
        "full_refresh": Param(
            False, type="boolean", description="Rebuild incremental dbt models from scratch."
        ),
        "dbt_select": Param(
            None,
            type=["null", "string"],
            pattern=r"^[A-Za-z0-9_+ ]+$",
            description="dbt models to run, e.g. 'orders_daily+' or '+customers'. Empty: all.",
        ),
    },
)
def orders_nightly():
    @task
    def resolve_run_date(params=None, data_interval_start=None) -> dict[str, str]:
        return orders_pipeline.resolve_run_date(params["run_date"], data_interval_start)

    @task.sensor(
        mode="reschedule",
        poke_interval=60,
        timeout=settings.sla.raw_partition_wait_minutes * 60,
    )
    def wait_for_raw_partition(run_date: dict[str, str]) -> bool:
        return orders_pipeline.raw_partition_present(load_settings(), run_date["run_date"])

    glue = glue_transform(settings, task_id="glue_transform", run_date=RUN_DATE, outlets=[CURATED])

    @task
    def reconcile(run_date: dict[str, str]) -> dict:
        return orders_pipeline.reconcile_run(run_date["run_date"])

    dbt = DbtTaskGroup(
        group_id="dbt",
        project_config=dbt_cosmos.project_config(
            settings, {"run_date": RUN_DATE, "as_of": AS_OF, "curated_root": settings.lake.curated}
        ),
        profile_config=dbt_cosmos.profile_config(settings),
        execution_config=dbt_cosmos.execution_config(settings),
        render_config=dbt_cosmos.render_config(),
        operator_args=dbt_cosmos.operator_args(settings),
    )

    @task(trigger_rule="all_done")
    def quality_gate(run_date: dict[str, str], dag=None, run_id=None, dag_run=None) -> dict:
        return orders_pipeline.quality_gate(run_date["run_date"], dag.dag_id, run_id, dag_run.start_date)

    @task(outlets=[MARTS])
    def publish(run_date: dict[str, str], gate: dict) -> str:
        return orders_pipeline.publish(load_settings(), run_date["run_date"], gate)

    @task
    def report(run_date: dict[str, str], gate: dict, dag=None, run_id=None) -> dict:
        return orders_pipeline.report(run_date["run_date"], dag.dag_id, run_id, gate)

    @task(trigger_rule="all_done")
    def dbt_timing(dag=None, run_id=None) -> list[str]:
        from include.dataops.observability.dbt_timing import dbt_timing_task

        return dbt_timing_task(dag.dag_id, run_id)

    day = resolve_run_date()
    gx = gx_validate_marts_task(settings, task_id="gx_validate_marts", run_date_task_id="resolve_run_date")
    gate = quality_gate(day)
    wait_for_raw_partition(day) >> glue >> reconcile(day) >> dbt >> gx >> gate
    publish(day, gate) >> report(day, gate)
    dbt >> dbt_timing()


orders_nightly()
