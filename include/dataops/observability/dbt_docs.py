"""dbt docs in the artifacts bucket, where the Airflow UI's "dbt docs" link reads them.

After publish, Cosmos's DbtDocsS3LocalOperator runs `dbt docs generate` against the warehouse
with no audit schema, so the catalog describes the consumer schema as just published, and
uploads index.html, manifest.json and catalog.json under DBT_DOCS_PREFIX (plugins/dataops_docs.py
serves that prefix). Not `--no-compile`: dbt then writes no manifest.json, which the page needs.
"""

from __future__ import annotations

from typing import Any

from include.dataops.settings import Settings

DBT_DOCS_PREFIX = "dbt/docs"


def dbt_docs_task(settings: Settings, task_id: str = "dbt_docs") -> Any:
    """The DAG's dbt docs task, configured like the other Cosmos tasks (airflow/cosmos.py)."""
    from cosmos.constants import InvocationMode
    from cosmos.operators.local import DbtDocsS3LocalOperator

    from include.dataops.airflow import cosmos as dbt_cosmos

    return DbtDocsS3LocalOperator(
        task_id=task_id,
        project_dir=str(dbt_cosmos.DBT_PROJECT_DIR),
        profile_config=dbt_cosmos.profile_config(settings),
        dbt_executable_path=settings.dbt.executable,
        invocation_mode=InvocationMode.SUBPROCESS,
        install_deps=False,
        connection_id=settings.aws_conn_id,
        bucket_name=settings.buckets.artifacts,
        folder_dir=DBT_DOCS_PREFIX,
    )
