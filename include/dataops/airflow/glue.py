"""The one place that decides how the Glue transform runs: on AWS Glue, or on local Spark.

The DAG asks for "the Glue transform" and gets an operator. In the cloud it is the amazon
provider's GlueJobOperator on the job Terraform defines; locally it runs the same script file,
unedited, on local Spark with the same arguments. Which one is data: `settings.glue.runner`.
"""

from __future__ import annotations

from typing import Any

from include.dataops.pipeline.landing import contract_argument
from include.dataops.settings import REPO_ROOT, Settings, load_settings

GLUE_SCRIPT = REPO_ROOT / "glue_jobs" / "orders_transform.py"
GLUE_POLL_SECONDS = 60


def job_arguments(settings: Settings, run_date: str) -> dict[str, str]:
    """The arguments Glue passes the script; the lake roots are Terraform's defaults in the cloud."""
    return {
        "--JOB_NAME": settings.glue.job_name,
        "--ENV": settings.environment,
        "--RUN_DATE": run_date,
        "--RAW_ROOT": settings.lake.raw,
        "--CURATED_ROOT": settings.lake.curated,
        "--QUARANTINE_ROOT": settings.lake.quarantine,
        "--LANDING_CONTRACT": contract_argument(settings.quality.on_landing_violation),
    }


def glue_transform(settings: Settings, task_id: str, run_date: str, **kwargs: Any) -> Any:
    """An operator that runs the orders transform for `run_date` (a template) and waits for it."""
    if settings.glue.runner == "aws_glue":
        from airflow.providers.amazon.aws.operators.glue import GlueJobOperator

        options: dict[str, Any] = {
            # The triggerer polls every waiter_delay seconds, as long as the task may run: the
            # provider's default (75 polls) would give up on a job still within its timeout.
            "waiter_delay": GLUE_POLL_SECONDS,
            "waiter_max_attempts": settings.monitoring.task_timeout_minutes * 60 // GLUE_POLL_SECONDS,
            **kwargs,
        }
        return GlueJobOperator(
            task_id=task_id,
            job_name=settings.glue.job_name,
            script_args=job_arguments(settings, run_date),
            aws_conn_id=settings.aws_conn_id,
            region_name=settings.aws_region,
            wait_for_completion=True,
            deferrable=True,
            verbose=True,
            stop_job_run_on_kill=True,
            **options,
        )
    from airflow.providers.standard.operators.python import PythonOperator

    return PythonOperator(
        task_id=task_id,
        python_callable=run_locally,
        op_kwargs={"run_date": run_date},
        **kwargs,
    )


def run_locally(run_date: str) -> dict[str, Any]:
    """Run the Glue script on local Spark and return the counts its manifest reports."""
    from tooling.local.glue_job import run_glue_script_locally

    settings = load_settings()
    manifest = run_glue_script_locally(GLUE_SCRIPT, job_arguments(settings, run_date))
    return {name: {"read": d["read"], "written": d["written"]} for name, d in manifest["datasets"].items()}
