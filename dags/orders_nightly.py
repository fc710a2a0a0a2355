"""The nightly orders pipeline: raw → Glue → reconcile → audit (dbt, GX) → gate → publish."""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import Asset, CronDataIntervalTimetable, Param, dag, task

from include.dataops.airflow import cosmos as dbt_cosmos
from include.dataops.airflow.defaults import dag_args, default_args
from include.dataops.airflow.glue import glue_transform
from include.dataops.airflow.gx import gx_validate_marts_task
from include.dataops.observability.dbt_docs import dbt_docs_task
from include.dataops.pipeline import orders as orders_pipeline
from include.dataops.pipeline import publish as audit_steps
from include.dataops.settings import load_settings

settings = load_settings()

CURATED = Asset("dataops.orders.curated")
MARTS = Asset("dataops.orders.marts")
RUN_DATE = "{{ ti.xcom_pull(task_ids='resolve_run_date')['run_date'] }}"
AS_OF = "{{ ti.xcom_pull(task_ids='resolve_run_date')['as_of'] }}"
AUDIT_SCHEMA = "{{ ti.xcom_pull(task_ids='resolve_run_date')['audit_schema'] }}"

DOC = """
### orders_nightly: the nightly orders load

Runs at 03:00 UTC for the previous day (the data interval), one run at a time. Every failing
task sends an SNS alert to the alerts topic. What each step does, and what to do when it fails:

- **resolve_run_date**: picks the day: `params.run_date`, else the data interval's day, else (a run
  triggered with no logical date) yesterday in UTC, the latest complete day when the run was
  triggered; and the run's audit schema (`audit_<day>_<hash of the run id>`). An impossible or
  future `run_date` is refused at trigger, before a run exists.
- **wait_for_raw_partition**: waits, in reschedule mode so no worker is held, until `orders/`
  and `customers/` for the day each hold a data file by the landing contract (`*.jsonl`, `*.json`,
  `*.ndjson`, optionally `.gz`; include/dataops/pipeline/landing.py). After the SLA it times out
  and alerts: check the source export, then clear the task.
- **glue_transform**: the Glue job (local Spark on the embedded default): raw → curated Parquet,
  bad records → quarantine, and a run manifest. The job is idempotent: read its log, fix, clear.
  Files outside the landing contract fail it where `quality.on_landing_violation` is fail (the
  error names them: rename or remove them, then clear); elsewhere reconcile warns.
- **reconcile**: read == written + quarantined + deduplicated, and the quarantine rate under the
  threshold; a partition whose every record is bad fails naming it and its top reasons. Look at
  the day's quarantine reasons; fix the source, or the threshold in settings.
  The curated asset event is emitted only when it passes.
- **register_partitions**: registers the day's curated partitions (orders, customers) in the Glue
  Data Catalog, with the columns of the Parquet the job wrote, so Redshift Spectrum (dbt's
  `curated` sources) sees the day. An AccessDenied names the missing glue action; clear the task.
- **prepare_audit**: creates the run's audit schema and copies published marts into it: the
  incremental ones (none on `full_refresh`) and any `dbt_select` leaves out, so the audit schema
  holds a whole set of marts. Consumers never read it. It refuses a `dbt_select` that leaves out
  a mart never published yet: run once without `dbt_select`. It fails first, in one line, when the
  DuckDB warehouse file is missing (restore it, or `make warehouse`; nothing creates it for you)
  or the artifacts bucket does not answer (create it or fix the grant); then clear it.
- **dbt**: Cosmos (WATCHER mode) runs one `dbt build` of every model into the audit schema
  (`dbt_producer_watcher`, its log has the failing SQL); per model, `<model>_model_build` shows
  that model's state and its tests' verdict (it fails if the model or one of its tests did), and
  a failed one stops the models downstream. A failed test or SQL error fails at once (a verdict,
  not retried); a transient error (warehouse locked, S3) is retried, the retry running
  `dbt build` for that model and its tests alone. After a fix, clear the failed task and its
  downstream.
- **gx_validate_marts**: Great Expectations on the audit schema's marts: row counts against
  published history, the order_total distribution, datasets dbt does not manage.
- **quality_gate**: combines reconciliation, dbt test results and GX, and names every failing
  check in its error and its SNS alert. When it fails nothing is published: the consumer schema
  keeps the last good set, and the audit schema stays for inspection (query it in the warehouse).
- **publish**: the only writer of the consumer schema: writes its intent to the artifacts bucket,
  replaces every mart with the audit one and drops the audit schema in one transaction, then
  writes the marker and the asset event. A bucket that refuses the intent fails it before the swap.
- **drop_expired_audits**: every run, failed or not, drops failed runs' audit schemas older than
  `quality.audit_retention_days`.
- **report**: CloudWatch metrics and the SNS summary. The data is already published if it fails.
- **dbt_docs**: `dbt docs generate` on the published marts, uploaded to the artifacts bucket
  (the Airflow UI's dbt docs link), only when the bucket holds no docs for the deployed manifest
  (its log says which). The data is already published if it fails; rerun the task. To
  regenerate anyway, delete `dbt/docs/manifest.sha256` from the bucket and rerun it.
- **dbt_timing**: after dbt, pass or fail: each model's time against its rolling median (rule in
  include/dataops/observability/dbt_timing.py); a regression pages. Compare the model's compiled
  SQL, row counts and warehouse load with the last good run.
- **run timed out**: the run passed `monitoring.dagrun_timeout_minutes`; its running tasks were
  skipped. Find the slow task in the grid view, fix or scale it, then clear the run.
- **data stale**: a table's DataFreshness passed its SLA (dbt `meta.freshness.sla_hours`). Check
  that last night's run published; if it failed, fix it and rerun that day.
- **a page with no error** (`No error reached this callback`): the task's process was lost (a
  worker killed or out of memory) and the scheduler failed it at its heartbeat timeout. Nothing
  was published. Its retry runs by itself while it has retries; otherwise clear the task.

Pages (alerts topic) say `Severity: PAGE` and name the entry above to read; notices (the success
summary) go to the notifications topic. A page SNS refuses is in the failed task's log instead:
`SNS publish to <topic> failed`, then `unsent SNS subject:` and `unsent SNS message:`.

Manual runs: `run_date` (YYYY-MM-DD) reprocesses a day, `full_refresh` rebuilds incremental marts,
`dbt_select` (e.g. `orders_daily+` or `+customers`) runs only part of the dbt project.

**IAM actions** (the MWAA execution role, `infra/terraform/modules/mwaa`; an AccessDenied in a
task log names the one missing):
- `s3:ListBucket`, `s3:GetObject`: the raw, curated and quarantine zones (the sensor, reconcile, GX).
- `s3:ListBucket`, `s3:GetObject`, `s3:PutObject`: the artifacts bucket (dbt run results and
  docs, GX results and Data Docs, the run summary, the publish marker).
- `glue:StartJobRun`, `glue:GetJobRun`, `glue:GetJob`, `glue:BatchStopJobRun`:
  the orders transform job; `logs:GetLogEvents`, `logs:FilterLogEvents` on `/aws-glue/*` for its log.
- `glue:GetTable`, `glue:CreateTable`, `glue:UpdateTable`, `glue:BatchCreatePartition`,
  `glue:UpdatePartition`: the curated catalog database (register_partitions).
- `cloudwatch:PutMetricData` in the pipeline's namespace (report: the run's metrics; dbt_timing:
  model durations and regressions; DORA after each run). The timing history is read from S3.
- `sns:Publish`: the alerts and notifications topics (failure callbacks, the gate, report).
- `secretsmanager:GetSecretValue`: the connections and variables prefixes.
- `kms:Decrypt`, `kms:GenerateDataKey*`: the environment key the buckets and topics use.
dbt reaches Redshift with the warehouse connection's credentials, not through IAM.
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
        # Checked when the run is triggered (REST API and UI form), before a run exists:
        # "date" is jsonschema's calendar-day check; "date-not-in-future" is registered by
        # plugins/run_date_format.py. resolve_run_date checks both again, without retries.
        "run_date": Param(
            None,
            type=["null", "string"],
            format="date",
            allOf=[{"format": "date-not-in-future"}],
            description="Day to process (YYYY-MM-DD), not after today (UTC). "
            "Empty: the data interval's day, or yesterday for a run without one.",
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
    def resolve_run_date(params=None, data_interval_start=None, dag_run=None, run_id=None) -> dict[str, str]:
        from airflow.sdk.exceptions import AirflowFailException

        requested = params["run_date"]
        try:
            return orders_pipeline.resolve_run_date(requested, data_interval_start, run_id, dag_run.run_after)
        except orders_pipeline.RunDateError as err:
            raise AirflowFailException(str(err)) from None

    @task.sensor(
        mode="reschedule",
        poke_interval=60,
        timeout=settings.sla.raw_partition_wait_minutes * 60,
    )
    def wait_for_raw_partition(run_date: dict[str, str]) -> bool:
        return orders_pipeline.raw_partition_present(load_settings(), run_date["run_date"])

    glue = glue_transform(settings, task_id="glue_transform", run_date=RUN_DATE)

    @task(outlets=[CURATED])
    def reconcile(run_date: dict[str, str]) -> dict:
        return orders_pipeline.reconcile_run(run_date["run_date"])

    @task
    def register_partitions(run_date: dict[str, str], manifest: dict) -> dict:
        from include.dataops.pipeline.catalog import register_day

        return register_day(load_settings(), run_date["run_date"], sorted(manifest["datasets"]))

    @task
    def prepare_audit(run_date: dict[str, str], params=None, run_id=None) -> list[str]:
        return audit_steps.prepare_audit(
            load_settings(),
            run_date["audit_schema"],
            run_id,
            dbt_cosmos.DBT_MANIFEST,
            bool(params["full_refresh"]),
            params["dbt_select"] or "",
        )

    dbt = dbt_cosmos.dbt_task_group(
        settings,
        {
            "run_date": RUN_DATE,
            "as_of": AS_OF,
            "audit_schema": AUDIT_SCHEMA,
            "curated_root": settings.lake.curated,
        },
    )

    @task(trigger_rule="all_done")
    def quality_gate(run_date: dict[str, str], dag=None, run_id=None, dag_run=None) -> dict:
        return orders_pipeline.quality_gate(run_date["run_date"], dag.dag_id, run_id, dag_run.start_date)

    @task(outlets=[MARTS])
    def publish(run_date: dict[str, str], gate: dict, run_id=None) -> str:
        return orders_pipeline.publish(load_settings(), run_date, gate, run_id)

    @task(trigger_rule="all_done")
    def drop_expired_audits(run_date: dict[str, str]) -> list[str]:
        return audit_steps.drop_expired_audits(load_settings(), keep=run_date["audit_schema"])

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
    # ingest (wait_for_raw_partition) >> transform (glue, reconcile, catalog, audit, dbt) >> verify (gx, gate)
    reconciled = reconcile(day)
    wait_for_raw_partition(day) >> glue >> reconciled
    register_partitions(day, reconciled) >> prepare_audit(day) >> dbt >> gx >> gate
    # publish: the run's marts swapped into the consumer schema only once the gate passed, then the report
    published = publish(day, gate)
    published >> report(day, gate)
    published >> dbt_docs_task(settings)
    published >> drop_expired_audits(day)
    # watch: dbt model timings against their history, whether dbt passed or not
    dbt >> dbt_timing()


orders_nightly()
