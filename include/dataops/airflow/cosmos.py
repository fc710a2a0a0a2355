"""How Cosmos runs this repository's dbt project, in every environment.

Shared by every DAG that renders dbt, as astronomer's cosmos-demo shares its configs:
- the project renders from the manifest `make dbt-manifest` builds, so parsing a DAG never runs dbt;
- Cosmos's WATCHER mode: one `dbt build` (the producer task) per run, and a sensor task per model
  showing that model's own state, log and its tests' verdict (dbt_build_sensor.py);
- dbt runs from its own venv (`settings.dbt.executable`) as a subprocess;
- the profile is dbt/profiles.yml's DuckDB target locally, and the warehouse connection mapped by
  Cosmos' RedshiftUserPasswordProfileMapping in the cloud: the settings' `warehouse.type` decides;
- the build uploads its run_results.json to the artifacts bucket, failed or not (and so does a
  sensor's retry, which runs dbt for its node), so the quality gate can name every failing test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from airflow.sdk import Context

from include.dataops.pipeline.dbt_artifacts import (
    COSMOS_MANIFEST,
    DBT_MANIFEST,
    DBT_PROJECT_DIR,
    PRODUCER_TASK_ID,
    upload_run_results,
)
from include.dataops.settings import Settings

PROFILE_NAME = "orders_analytics"
SENSOR_POKE_SECONDS = 5


def dbt_task_group(
    settings: Settings, dbt_vars: dict[str, str], manifest: Path = COSMOS_MANIFEST, render: Any = None
) -> Any:
    """The `dbt` task group, with Cosmos imported the way that keeps the DAG's parse cheap.

    `manifest` and `render` (default: render_config()) are for the parse benchmark."""
    from include.dataops.airflow.cosmos_parse import prepare_cosmos

    prepare_cosmos()  # before anything imports Cosmos's operators
    from cosmos import DbtTaskGroup

    project = project_config(settings, dbt_vars)
    project.manifest_path = manifest
    return DbtTaskGroup(
        group_id="dbt",
        project_config=project,
        profile_config=profile_config(settings),
        execution_config=execution_config(settings),
        render_config=render or render_config(),
        operator_args=operator_args(settings),
    )


def project_config(settings: Settings, dbt_vars: dict[str, str]) -> Any:
    from cosmos import ProjectConfig

    config = ProjectConfig(
        dbt_project_path=DBT_PROJECT_DIR,
        manifest_path=COSMOS_MANIFEST,
        project_name=PROFILE_NAME,
        # Rendered per task at run time (vars is a templated field of every Cosmos operator).
        dbt_vars=dbt_vars,
    )
    # Cosmos wraps every manifest_path in an ObjectStoragePath, for manifests kept in S3 or GCS.
    # Opening one loads every provider's filesystem and the lineage collector: about 4 s of
    # imports in each parse, that is in the DAG processor and in every task. The manifest ships
    # next to the DAGs, so a plain Path (a type ProjectConfig accepts) reads it in milliseconds.
    # It is the cut of dbt's manifest to what Cosmos reads (tooling/dbt/cosmos_manifest.py).
    config.manifest_path = COSMOS_MANIFEST
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
    """WATCHER: one `dbt build` (the producer task) for the whole group, one sensor task per node.

    dbt runs from its own venv as a subprocess (dbt's JSON log feeds the sensors); the producer's
    selection is the run's `dbt_select`. A retry of the producer never builds again (Cosmos skips
    it), so it gets none: a node's retry is its own sensor's, which runs dbt for that node alone.
    """
    from cosmos import ExecutionConfig
    from cosmos.constants import ExecutionMode, InvocationMode

    from include.dataops.airflow.defaults import record_stage_duration

    return ExecutionConfig(
        execution_mode=ExecutionMode.WATCHER,
        dbt_executable_path=settings.dbt.executable,
        invocation_mode=InvocationMode.SUBPROCESS,
        # The build's duration is a stage's work; a sensor's (reading XCom) is not: only the producer
        # publishes StageDuration, which saves each sensor the metric call.
        setup_operator_args={"retries": 0, "on_success_callback": record_stage_duration},
    )


def render_config() -> Any:
    """BUILD, each model rendered as one sensor holding its own state and its tests' verdict.

    The producer's `dbt build` runs the tests; a failed test fails its model's task, which stops
    that model's downstream models alone (include/dataops/airflow/dbt_build_sensor.py says why not
    Cosmos's AFTER_EACH test sensors). A test on two models (relationships) counts in both models'
    verdicts: Cosmos 1.15.1 aggregates it under each parent.
    """
    from functools import partial, update_wrapper

    from include.dataops.airflow.cosmos_parse import prepare_cosmos

    prepare_cosmos()  # before the sensor's module imports Cosmos's operators
    from cosmos import RenderConfig
    from cosmos.constants import DbtResourceType, LoadMode, TestBehavior

    from include.dataops.airflow.dbt_build_sensor import model_build_task

    config = RenderConfig(
        load_method=LoadMode.DBT_MANIFEST,
        test_behavior=TestBehavior.BUILD,
        # Cosmos would make each model's table an Airflow asset. Ours are in the run's audit schema
        # (audit_<day>_<id>): new assets every run that nothing consumes, and an asset event and
        # database writes in every sensor. Consumers get the MARTS asset from publish; every dbt
        # node's lineage still reaches OpenLineage from the producer's run.
        emit_datasets=False,
    )
    # update_wrapper: Cosmos logs the converter's __name__.
    convert = update_wrapper(partial(model_build_task, render_config=config), model_build_task)
    config.node_converters = {DbtResourceType.MODEL: convert}
    return config


def operator_args(settings: Settings) -> dict[str, Any]:
    """What every Cosmos task gets: full refresh from the run's params, artifacts upload, selection.

    The sensors reschedule between pokes rather than defer: `airflow dags test` runs a deferred
    task's trigger inline, one task at a time, so a sensor that deferred before the producer ran
    would wait forever; rescheduled, it frees its slot on MWAA as deferring would.
    """
    return {
        "install_deps": False,
        "full_refresh": "{{ params.full_refresh }}",
        "callback": upload_run_results,
        "callback_args": {"bucket_name": settings.buckets.artifacts, "aws_conn_id": settings.aws_conn_id},
        "pre_execute": prepare_dbt_task,
        "deferrable": False,
        "mode": "reschedule",
        "poke_interval": SENSOR_POKE_SECONDS,
        # Waiting longer than the build may run is waiting for nothing.
        "timeout": settings.monitoring.task_timeout_minutes * 60,
        "on_success_callback": None,
        # A skipped (unselected) parent must not skip a selected child; a failed one still stops it.
        "trigger_rule": "none_failed",
    }


def prepare_dbt_task(context: Context) -> None:
    """Before each dbt task: the producer checks the warehouse exists and builds the run's
    `dbt_select`; a sensor whose node that selection leaves out is skipped. (A sensor whose node
    dbt failed on data fails unretried: dbt_build_sensor.fail_on_verdict, as it reads the status.)
    """
    from airflow.sdk.exceptions import AirflowSkipException

    from include.dataops.pipeline import audit

    task = context["task"]
    selector = (context["params"].get("dbt_select") or "").strip()
    manifest = json.loads(DBT_MANIFEST.read_text()) if selector else {}
    # The selection and the staging/intermediate views it reads (prepare_audit copied the marts it
    # leaves out): what the producer builds, so the selected models' refs resolve in the audit schema.
    build = audit.models_to_build(audit.select_models(selector, manifest), manifest) if selector else set()
    if context["ti"].task_id.endswith(PRODUCER_TASK_ID):
        from include.dataops import warehouse
        from include.dataops.settings import load_settings

        # dbt-duckdb creates a missing file: a run cleared from here must not build into an empty one.
        warehouse.require(load_settings().warehouse.conn_id)
        task.select = " ".join(sorted(build)) or None  # type: ignore[union-attr]
        task.indirect_selection = audit.SELECTIVE_TESTS if build else None  # type: ignore[union-attr]
        return
    node_id = getattr(task, "model_unique_id", None)
    if node_id is None:
        return
    if selector and not _built(node_id, build, manifest):
        raise AirflowSkipException(f"{node_id} is not built for dbt_select={selector!r}")


def _built(node_id: str, models: set[str], manifest: dict[str, Any]) -> bool:
    """Whether the producer's `dbt build --select <models>` runs this node (a test: any parent)."""
    if node_id.startswith("model."):
        return manifest["nodes"][node_id]["name"] in models
    parents = manifest["parent_map"].get(node_id, [])
    return any(manifest["nodes"].get(p, {}).get("name") in models for p in parents)
