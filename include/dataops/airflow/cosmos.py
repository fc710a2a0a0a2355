"""How Cosmos runs this repository's dbt project, in every environment.

Shared by every DAG that renders dbt, as astronomer's cosmos-demo shares its configs:
- the project renders from the manifest `make dbt-manifest` builds, so parsing a DAG never runs dbt;
- dbt runs from its own venv (`settings.dbt.executable`) as a subprocess;
- the profile is dbt/profiles.yml's DuckDB target locally, and the warehouse connection mapped by
  Cosmos' RedshiftUserPasswordProfileMapping in the cloud: the settings' `warehouse.type` decides;
- each dbt task uploads its run_results.json to the artifacts bucket, failed or not, so the
  quality gate can name every failing test whichever worker ran it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from airflow.sdk import Context

from include.dataops.settings import REPO_ROOT, Settings

DBT_PROJECT_DIR = REPO_ROOT / "dbt"
DBT_MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
PROFILE_NAME = "orders_analytics"
RUN_RESULTS_PREFIX = "dbt/run_results"
# Cosmos names a model's `dbt build` task "<model>_model_build" under TestBehavior.BUILD.
MODEL_TASK_SUFFIX = "_model_build"


def project_config(settings: Settings, dbt_vars: dict[str, str]) -> Any:
    from cosmos import ProjectConfig

    from include.dataops.airflow.cosmos_parse import memoise_operator_signatures

    # Before Cosmos builds the group's tasks: over a quarter of its parse time at 1,000 models otherwise.
    memoise_operator_signatures()
    config = ProjectConfig(
        dbt_project_path=DBT_PROJECT_DIR,
        manifest_path=DBT_MANIFEST,
        project_name=PROFILE_NAME,
        # Rendered per task at run time (vars is a templated field of every Cosmos operator).
        dbt_vars=dbt_vars,
    )
    # Cosmos wraps every manifest_path in an ObjectStoragePath, for manifests kept in S3 or GCS.
    # Opening one loads every provider's filesystem and the lineage collector: about 4 s of
    # imports in each parse, that is in the DAG processor and in every task. The manifest ships
    # next to the DAGs, so a plain Path (a type ProjectConfig accepts) reads it in milliseconds.
    config.manifest_path = DBT_MANIFEST
    return config


def profile_config(settings: Settings) -> Any:
    from cosmos import ProfileConfig

    if settings.warehouse.type == "duckdb":
        from cosmos.profiles import DuckDBUserPasswordProfileMapping

        return ProfileConfig(
            profile_name=PROFILE_NAME,
            target_name=settings.warehouse.dbt_target,
            profile_mapping=DuckDBUserPasswordProfileMapping(
                conn_id=settings.warehouse.conn_id,
                profile_args={
                    "schema": settings.warehouse.schema,
                    "threads": 2,
                    "settings": {"TimeZone": "UTC"},
                },
            ),
        )
    from cosmos.profiles import RedshiftUserPasswordProfileMapping

    if settings.warehouse.dbt_target == "dev":
        from include.dataops.airflow.dbt_profiles import DeveloperSchemaRedshiftMapping

        mapping = DeveloperSchemaRedshiftMapping(conn_id=settings.warehouse.conn_id)
    else:
        mapping = RedshiftUserPasswordProfileMapping(
            conn_id=settings.warehouse.conn_id, profile_args={"schema": settings.warehouse.schema}
        )
    return ProfileConfig(
        profile_name=PROFILE_NAME, target_name=settings.warehouse.dbt_target, profile_mapping=mapping
    )


def execution_config(settings: Settings) -> Any:
    from cosmos import ExecutionConfig
    from cosmos.constants import InvocationMode

    return ExecutionConfig(
        dbt_executable_path=settings.dbt.executable, invocation_mode=InvocationMode.SUBPROCESS
    )


def render_config() -> Any:
    from cosmos import RenderConfig
    from cosmos.constants import LoadMode, TestBehavior

    # BUILD: one `dbt build` per model runs the model, then its tests; a failed test fails the task
    # and so stops its downstream models. It halves the tasks (and dbt start-ups) of AFTER_EACH.
    # A test on two models (relationships) gets a task of its own after both.
    return RenderConfig(
        load_method=LoadMode.DBT_MANIFEST,
        test_behavior=TestBehavior.BUILD,
        should_detach_multiple_parents_tests=True,
    )


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
    """Every dbt task's latest run_results.json for one DAG run, copied into `into`."""
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
    for task_id, (_, key) in sorted(latest.items()):
        path = into / f"{task_id}.json"
        path.write_text(hook.read_key(key, bucket_name=settings.buckets.artifacts))
        paths.append(path)
    return paths


def operator_args(settings: Settings) -> dict[str, Any]:
    """What every Cosmos task gets: full refresh from the run's params, artifacts upload, selection."""
    return {
        "install_deps": False,
        "full_refresh": "{{ params.full_refresh }}",
        "callback": upload_run_results,
        "callback_args": {"bucket_name": settings.buckets.artifacts, "aws_conn_id": settings.aws_conn_id},
        "pre_execute": skip_unless_selected,
        # A skipped (unselected) parent must not skip a selected child; a failed one still stops it.
        "trigger_rule": "none_failed",
    }


def skip_unless_selected(context: Context) -> None:
    """Skip this dbt task when the run's `dbt_select` param leaves its model out."""
    from airflow.exceptions import AirflowSkipException

    selector = (context["params"].get("dbt_select") or "").strip()
    task_name = context["ti"].task_id.rsplit(".", 1)[-1]
    if not selector or not task_name.endswith(MODEL_TASK_SUFFIX):
        return
    model = task_name.removesuffix(MODEL_TASK_SUFFIX)
    if model not in select_models(selector, json.loads(DBT_MANIFEST.read_text())):
        raise AirflowSkipException(f"{model} is not in dbt_select={selector!r}")


def select_models(selector: str, manifest: dict[str, Any]) -> set[str]:
    """Model names a dbt selector picks: names with the graph operators `+name`, `name+`, `+name+`.

    The smallest equivalent of dbt's node selection for a manual rerun from the UI; tags, paths
    and set operators are left to the dbt CLI.
    """
    nodes = manifest["nodes"].items()
    models = {node_id: node["name"] for node_id, node in nodes if node["resource_type"] == "model"}
    by_name = {name: node_id for node_id, name in models.items()}

    def walk(start: str, edges: dict[str, list[str]]) -> set[str]:
        seen, stack = set(), [start]
        while stack:
            for nxt in edges.get(stack.pop(), []):
                if nxt in models and nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    chosen: set[str] = set()
    for term in selector.split():
        name = term.strip("+")
        if name not in by_name:
            known = ", ".join(sorted(by_name))
            raise ValueError(f"dbt_select names unknown model {name!r}: use one of {known}.")
        node_id = by_name[name]
        chosen.add(node_id)
        if term.startswith("+"):
            chosen |= walk(node_id, manifest["parent_map"])
        if term.endswith("+"):
            chosen |= walk(node_id, manifest["child_map"])
    return {models[node_id] for node_id in chosen}
