"""The marts checkpoint: one code path for the DAG's operator and `make gx-check`.

``build_marts_checkpoint`` fetches the frames (``data.fetch_frames``), computes history-based
bounds, and returns a GX Checkpoint on the given context. Its actions build Data Docs and publish
every suite's result, a summary and the docs to the artifacts bucket. ``validate_marts`` runs it on
an ephemeral context; ``load_gx_result`` reads the published summary back (how the gate sees it).

Nothing here imports great_expectations at module level: the DAG's operator factory imports it.
"""

from __future__ import annotations

import json
import tempfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from include.dataops.gx import suites
from include.dataops.gx.config import GxConfig
from include.dataops.gx.data import HISTORY, fetch_frames
from include.dataops.gx.results import GxCheckError, GxLocations, GxResult, iso_day
from include.dataops.settings import REPO_ROOT, Settings, load_settings

if TYPE_CHECKING:
    from great_expectations import Checkpoint
    from great_expectations.data_context import AbstractDataContext
    from great_expectations.data_context.store.store import DataDocsSiteConfigTypedDict

CHECKPOINT_NAME = "marts_checkpoint"
DOCS_SITE = "dataops"
DATASOURCE = "dataops_frames"
LOCAL_DOCS_DIR = REPO_ROOT / ".local" / "gx" / "data_docs"


def default_docs_dir(settings: Settings) -> Path:
    """Where Data Docs are built before upload: .local/ on this machine, a temp dir on a worker."""
    if settings.environment == "local":
        return LOCAL_DOCS_DIR
    return Path(tempfile.gettempdir()) / "dataops-gx" / "data_docs"


def build_marts_checkpoint(
    context: AbstractDataContext,
    settings: Settings,
    run_date: str,
    *,
    marts_schema: str,
    history_schema: str,
    config: GxConfig | None = None,
    docs_dir: Path | None = None,
    publish: bool = True,
) -> Checkpoint:
    """Fetch the data, build the suites with today's bounds, and return the checkpoint on `context`.

    The marts under test come from `marts_schema` (the run's audit schema), the bounds from the
    published days in `history_schema` (the consumer schema).
    """
    import great_expectations as gx
    from great_expectations.checkpoint.actions import UpdateDataDocsAction
    from great_expectations.data_context.types.base import ProgressBarsConfig

    from include.dataops.gx.actions import PublishArtifactsAction, RemoveFramesAction

    config = config or GxConfig()
    day = iso_day(run_date)
    frames = fetch_frames(settings, day, config, marts_schema=marts_schema, history_schema=history_schema)
    history = frames.pop(HISTORY)
    c = config.columns
    volume = suites.volume_bounds(history[c.order_count].astype(float).tolist(), config)
    mean = suites.mean_bounds(history[c.order_total_avg].dropna().astype(float).tolist(), config)
    suite_objects = suites.build_suites(config, volume, mean)

    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    docs_dir = Path(docs_dir or default_docs_dir(settings))
    docs_dir.mkdir(parents=True, exist_ok=True)
    _configure_docs_site(context, docs_dir)
    # Per build, so concurrent runs of the same day never read each other's frames.
    work_dir = Path(tempfile.mkdtemp(prefix=f"dataops-gx-{day}-"))

    datasource = context.data_sources.add_or_update_pandas(DATASOURCE)
    definitions = []
    for name, suite in suite_objects.items():
        path = work_dir / f"{name}.parquet"
        frames[name].to_parquet(path, index=False)
        asset = datasource.add_parquet_asset(name, path=path)
        batch = asset.add_batch_definition_whole_dataframe(name)  # type: ignore[union-attr]  # GX's .pyi says Optional
        definitions.append(
            context.validation_definitions.add(
                gx.ValidationDefinition(name=name, data=batch, suite=context.suites.add(suite))
            )
        )
    actions: list[Any] = [UpdateDataDocsAction(name="update_data_docs", site_names=[DOCS_SITE])]
    if publish:
        actions.append(
            PublishArtifactsAction(
                name="publish_artifacts",
                bucket=settings.buckets.artifacts,
                aws_conn_id=settings.aws_conn_id,
                run_date=day,
                docs_dir=str(docs_dir),
            )
        )
    actions.append(RemoveFramesAction(name="remove_frames", frames_dir=str(work_dir)))
    return context.checkpoints.add(
        gx.Checkpoint(
            name=CHECKPOINT_NAME, validation_definitions=definitions, actions=actions, result_format="SUMMARY"
        )
    )


def validate_marts(
    run_date: str,
    settings: Settings | None = None,
    *,
    marts_schema: str | None = None,
    history_schema: str | None = None,
    config: GxConfig | None = None,
    docs_dir: Path | None = None,
    publish: bool = True,
) -> GxResult:
    """Run the marts checkpoint on an ephemeral context; never raises for failed expectations.

    Both schemas default to the consumer schema (``settings.warehouse.schema``): checking the
    published marts, as `make gx-check` does. A write-audit-publish run passes its audit schema
    as `marts_schema`.
    """
    import great_expectations as gx

    settings = settings or load_settings()
    day = iso_day(run_date)
    context = gx.get_context(mode="ephemeral")
    checkpoint = build_marts_checkpoint(
        context,
        settings,
        day,
        marts_schema=marts_schema or settings.warehouse.schema,
        history_schema=history_schema or settings.warehouse.schema,
        config=config,
        docs_dir=docs_dir,
        publish=publish,
    )
    result = checkpoint.run()
    docs_dir = Path(docs_dir or default_docs_dir(settings))
    locations = GxLocations(settings.buckets.artifacts, day)
    uris = {
        s.suite_name: locations.uri(locations.result_key(s.suite_name)) for s in result.run_results.values()
    }
    return GxResult.from_checkpoint_result(
        result,
        day,
        result_uris=uris if publish else {},
        docs_uri=locations.docs_uri if publish else "",
        docs_local=str(docs_dir / "index.html"),
    )


def load_gx_result(
    run_date: str, settings: Settings | None = None, not_before: datetime | None = None
) -> GxResult:
    """The summary the checkpoint published for `run_date` (how the gate reads the operator's outcome).

    `not_before` (the DAG run's start) refuses a summary an earlier run of the same day left
    behind: a gate must judge this run's validation, not a stale one.
    """
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    settings = settings or load_settings()
    locations = GxLocations(settings.buckets.artifacts, iso_day(run_date))
    hook = S3Hook(aws_conn_id=settings.aws_conn_id)
    uri = locations.uri(locations.summary_key)
    head = hook.head_object(locations.summary_key, settings.buckets.artifacts)
    if head is None:
        raise GxCheckError(f"no GX result at {uri}: run the GX task for {run_date} first.")
    if not_before is not None and head["LastModified"] < not_before:
        raise GxCheckError(
            f"the GX result at {uri} is from an earlier run: this run's GX task did not finish."
        )
    return GxResult.from_dict(json.loads(hook.read_key(locations.summary_key, settings.buckets.artifacts)))


def _configure_docs_site(context: AbstractDataContext, docs_dir: Path) -> None:
    site: DataDocsSiteConfigTypedDict = {
        "class_name": "SiteBuilder",
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
    }
    if DOCS_SITE in context.list_data_docs_sites():
        context.update_data_docs_site(DOCS_SITE, site)
    else:
        context.add_data_docs_site(DOCS_SITE, site)
