"""A smoke DAG: proves a fresh checkout's Airflow, emulator and settings work together."""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import dag, task

from include.dataops.airflow.defaults import dag_args, default_args

DOC = """
### platform_check
Checks the platform itself, not data: it loads this environment's settings and lists the
artifacts bucket through the `aws_default` connection.

**When it fails:** read the task log. A settings error names the missing key; an AWS error
means the connection (Secrets Manager on MWAA, `.local/env.sh` locally) points nowhere.

**IAM actions** (the MWAA execution role, `infra/terraform/modules/mwaa`):
- `s3:ListBucket`: the artifacts bucket (its existence check).
- `secretsmanager:GetSecretValue`: the connections prefix (the secrets backend reads aws_default).
"""


@dag(
    dag_id="platform_check",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    **dag_args(),
    tags=["platform", "smoke"],
    doc_md=DOC,
)
def platform_check():
    @task
    def check_platform() -> dict[str, str]:
        from include.dataops.airflow.platform_check import check_platform

        return check_platform()

    check_platform()


platform_check()
