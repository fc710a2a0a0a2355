"""dbt's artifacts: the project's manifest, and the run results in the artifacts bucket (one
run_results.json per dbt task and try).

Cosmos's callback uploads each task's file here; the quality gate, the run summary and the dbt
timing history read a run's files back. A leaf of the pipeline package (no Cosmos, no Airflow at
import), so the observability code reads the results without importing the DAG's Cosmos config.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from include.dataops.settings import REPO_ROOT

if TYPE_CHECKING:
    from airflow.sdk import Context

    from include.dataops.settings import Settings

DBT_PROJECT_DIR = REPO_ROOT / "dbt"
# Built by `make dbt-manifest` and shipped in the bundle: Cosmos renders from it, the gate reads it.
DBT_MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
# What Cosmos renders the DAG from: the manifest cut to the fields Cosmos reads, a small part
# of it (tooling/dbt/cosmos_manifest.py builds it beside the manifest, and in the bundle).
COSMOS_MANIFEST = DBT_PROJECT_DIR / "target" / "cosmos_manifest.json"
RUN_RESULTS_PREFIX = "dbt/run_results"
# Cosmos's one `dbt build` task in WATCHER mode (cosmos.constants.PRODUCER_WATCHER_TASK_ID).
PRODUCER_TASK_ID = "dbt_producer_watcher"


def run_results_key(dag_id: str, run_id: str, task_id: str, try_number: int) -> str:
    return f"{RUN_RESULTS_PREFIX}/{dag_id}/{run_id}/{task_id}/{try_number}.json"


def upload_run_results(
    project_dir: str, bucket_name: str, aws_conn_id: str, context: Context, **_: Any
) -> None:
    """Cosmos callback: keep this task's run_results.json in the artifacts bucket.

    cosmos.io.upload_to_aws_s3 uploads the whole target directory (partial-parse caches and all)
    under the bucket root; the gate needs only run_results.json, under a prefix of its own.
    """
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    results = Path(project_dir) / "target" / "run_results.json"
    if not results.is_file():
        return
    ti = context["ti"]
    S3Hook(aws_conn_id=aws_conn_id).load_string(
        results.read_text(),
        key=run_results_key(ti.dag_id, ti.run_id, ti.task_id, ti.try_number),
        bucket_name=bucket_name,
        replace=True,
    )


def download_run_results(settings: Settings, dag_id: str, run_id: str, into: Path) -> list[Path]:
    """Every dbt task's latest run_results.json for one DAG run, copied into `into`, build first."""
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    hook = S3Hook(aws_conn_id=settings.aws_conn_id)
    prefix = f"{RUN_RESULTS_PREFIX}/{dag_id}/{run_id}/"
    latest: dict[str, tuple[int, str]] = {}
    for key in hook.list_keys(bucket_name=settings.buckets.artifacts, prefix=prefix) or []:
        task_id, attempt = key[len(prefix) :].rsplit("/", 1)
        number = int(attempt.removesuffix(".json"))
        if task_id not in latest or number > latest[task_id][0]:
            latest[task_id] = (number, key)
    into.mkdir(parents=True, exist_ok=True)
    paths = []
    # The build first: a sensor's retry reran its node after it, and the last result of a node wins.
    for task_id, (_, key) in sorted(
        latest.items(), key=lambda item: (not item[0].endswith(PRODUCER_TASK_ID), item[0])
    ):
        path = into / f"{task_id}.json"
        path.write_text(hook.read_key(key, bucket_name=settings.buckets.artifacts))
        paths.append(path)
    return paths
