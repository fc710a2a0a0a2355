"""dbt docs in the artifacts bucket, where the Airflow UI's "dbt docs" link reads them.

After publish, Cosmos's DbtDocsS3LocalOperator runs `dbt docs generate` against the warehouse
with no audit schema, so the catalog describes the consumer schema as just published, and
uploads index.html, manifest.json and catalog.json under DBT_DOCS_PREFIX (plugins/dataops_docs.py
serves that prefix). Not `--no-compile`: dbt then writes no manifest.json, which the page needs.

The docs change only with the project: the marts' columns are their enforced contracts, so
publish replaces their rows, never their shape. Generating them costs a dbt start-up and a full
parse, so the task generates only when the bucket holds no docs for the shipped manifest (its
sha256 under DOCS_MANIFEST_KEY, written after the upload) and says in its log which it did.
The catalog's table statistics (Redshift's row counts and sizes) are therefore as of the first
publish of each deployed manifest.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from include.dataops.pipeline.dbt_artifacts import DBT_MANIFEST
from include.dataops.settings import Settings

DBT_DOCS_PREFIX = "dbt/docs"
# The sha256 of the shipped manifest the docs under DBT_DOCS_PREFIX were generated for.
DOCS_MANIFEST_KEY = f"{DBT_DOCS_PREFIX}/manifest.sha256"


def manifest_digest(manifest: Path = DBT_MANIFEST) -> str:
    return hashlib.sha256(manifest.read_bytes()).hexdigest()


def dbt_docs_task(settings: Settings, task_id: str = "dbt_docs") -> Any:
    """The DAG's dbt docs task, configured like the other Cosmos tasks (airflow/cosmos.py)."""
    from cosmos.constants import InvocationMode
    from cosmos.operators.local import DbtDocsS3LocalOperator

    from include.dataops.airflow import cosmos as dbt_cosmos

    # Defined here, not at module level, so that importing this module never imports Cosmos.
    class DbtDocsForManifestOperator(DbtDocsS3LocalOperator):
        def execute(self, context: Any, **kwargs: Any) -> None:
            digest, where = manifest_digest(), f"s3://{self.bucket_name}/{self.folder_dir}"
            if _docs_digest(self.connection_id, self.bucket_name) == digest:
                self.log.info("dbt docs in %s are for this manifest (%s): not regenerated", where, digest)
                return
            self.log.info("dbt docs in %s are not for this manifest (%s): generating them", where, digest)
            super().execute(context, **kwargs)

        def upload_to_cloud_storage(self, project_dir: str, **kwargs: Any) -> None:
            """Cosmos's upload, then the manifest's digest: written last, so a failed upload
            leaves the next run generating again."""
            from airflow.providers.amazon.aws.hooks.s3 import S3Hook

            super().upload_to_cloud_storage(project_dir, **kwargs)
            S3Hook(aws_conn_id=self.connection_id).load_string(
                manifest_digest(), key=DOCS_MANIFEST_KEY, bucket_name=self.bucket_name, replace=True
            )

    return DbtDocsForManifestOperator(
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


def _docs_digest(aws_conn_id: str, bucket: str) -> str | None:
    """The manifest digest the bucket's dbt docs were generated for; None when it holds none."""
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    hook = S3Hook(aws_conn_id=aws_conn_id)
    if not hook.check_for_key(DOCS_MANIFEST_KEY, bucket):
        return None
    return hook.read_key(DOCS_MANIFEST_KEY, bucket).strip()
