"""Great Expectations on the marts and on the datasets dbt does not manage.

One code path serves the DAG and `make gx-check`: ``build_marts_checkpoint`` fetches the frames
(marts through the warehouse helper, so DuckDB and Redshift alike; curated customers and
quarantine records from the lake), computes history-based bounds, and returns a GX Checkpoint on
the given context. Its actions build Data Docs and publish every suite's result, a summary and
the docs to the artifacts bucket. ``validate_marts`` runs it on an ephemeral context and returns
a ``GxResult``; ``gx_validate_marts_task`` wraps it in the GX provider's checkpoint operator.

Nothing here imports great_expectations at module level: a DAG imports this file at parse time.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from include.dataops.gx.config import GxConfig
from include.dataops.settings import REPO_ROOT, Settings, load_settings

if TYPE_CHECKING:
    import pandas as pd
    from airflow.sdk import BaseOperator
    from great_expectations import Checkpoint
    from great_expectations.checkpoint.checkpoint import CheckpointResult
    from great_expectations.data_context import AbstractDataContext

CHECKPOINT_NAME = "marts_checkpoint"
DOCS_SITE = "dataops"
DATASOURCE = "dataops_frames"
VALIDATIONS_PREFIX = "gx/validations"
DOCS_PREFIX = "gx/data_docs"
SUMMARY_FILE = "summary.json"
LOCAL_DOCS_DIR = REPO_ROOT / ".local" / "gx" / "data_docs"


class GxCheckError(RuntimeError):
    """The GX checks could not run or their result cannot be found; the message says why and what to do."""


@dataclass(frozen=True)
class GxCheck:
    suite: str
    check: str
    success: bool
    detail: str


@dataclass
class GxResult:
    run_date: str
    success: bool
    checks: list[GxCheck] = field(default_factory=list)
    result_uris: dict[str, str] = field(default_factory=dict)
    docs_uri: str = ""
    docs_local: str = ""

    def failed_checks(self) -> list[str]:
        """One line per failed expectation, named by suite and check."""
        return [f"gx {c.suite}.{c.check}: {c.detail}" for c in self.checks if not c.success]

    def counts(self) -> dict[str, int]:
        suites = {c.suite for c in self.checks}
        failed_suites = {c.suite for c in self.checks if not c.success}
        return {
            "suites_total": len(suites),
            "suites_passed": len(suites - failed_suites),
            "checks_total": len(self.checks),
            "checks_passed": sum(1 for c in self.checks if c.success),
        }

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GxResult:
        values = dict(data)
        try:
            values["checks"] = [GxCheck(**c) for c in values.get("checks", [])]
            return cls(**values)
        except TypeError as exc:
            raise GxCheckError(f"not a GX result ({exc}): pass GxResult.to_dict() output.") from None

    @classmethod
    def from_checkpoint_result(cls, result: CheckpointResult, run_date: str, **locations: Any) -> GxResult:
        checks = [
            GxCheck(
                suite=suite_result.suite_name,
                check=(r.expectation_config.meta or {}).get("check") or r.expectation_config.type,
                success=bool(r.success),
                detail=_detail(r.result or {}, r.expectation_config.meta or {}, r.exception_info or {})
                or ("ok" if r.success else "failed"),
            )
            for suite_result in result.run_results.values()
            for r in suite_result.results
        ]
        return cls(run_date=run_date, success=bool(result.success), checks=checks, **locations)


@dataclass(frozen=True)
class GxLocations:
    bucket: str
    run_date: str

    def result_key(self, suite: str) -> str:
        return f"{VALIDATIONS_PREFIX}/{self.run_date}/{suite}.json"

    @property
    def summary_key(self) -> str:
        return f"{VALIDATIONS_PREFIX}/{self.run_date}/{SUMMARY_FILE}"

    @property
    def docs_uri(self) -> str:
        return f"s3://{self.bucket}/{DOCS_PREFIX}/index.html"

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"


def default_docs_dir(settings: Settings) -> Path:
    """Where Data Docs are built before upload: .local/ on this machine, a temp dir on a worker."""
    if settings.environment == "local":
        return LOCAL_DOCS_DIR
    return Path(tempfile.gettempdir()) / "dataops-gx" / "data_docs"


def fetch_frames(settings: Settings, run_date: str, config: GxConfig) -> dict[str, pd.DataFrame]:
    """Today's rows of each checked dataset, keyed by suite name, plus the marts' history."""
    from include.dataops.gx import suites
    from include.dataops.warehouse import query_df

    t, c, schema = config.tables, config.columns, settings.warehouse.schema
    day = _iso_day(run_date)
    start = (date.fromisoformat(day) - timedelta(days=config.thresholds.history_days)).isoformat()
    conn = settings.warehouse.conn_id
    return {
        "history": query_df(
            f"select {c.order_date}, {c.order_count}, {c.order_total_avg} from {schema}.{t.orders_daily} "
            f"where {c.order_date} >= date '{start}' and {c.order_date} < date '{day}' "
            f"order by {c.order_date}",
            conn,
        ),
        suites.ORDERS_DAILY_SUITE: query_df(
            f"select * from {schema}.{t.orders_daily} where {c.order_date} = date '{day}'", conn
        ),
        suites.ORDERS_SUITE: query_df(
            f"select {c.order_id}, {c.order_total} from {schema}.{t.orders} "
            f"where {c.order_date} = date '{day}'",
            conn,
        ),
        suites.QUARANTINE_SUITE: read_quarantine(settings.lake.quarantine, day, config),
        suites.CUSTOMERS_SUITE: read_curated_customers(settings.lake.curated, day, config),
    }


def read_quarantine(root: str, run_date: str, config: GxConfig) -> pd.DataFrame:
    """The day's quarantine records (dataset, reason) across datasets; empty when none were rejected."""
    import pandas as pd

    c = config.columns
    frames = [
        pd.read_json(handle, lines=True, dtype=False)
        for dataset in config.datasets
        for handle in _open_all(f"{root.rstrip('/')}/{dataset}/dt={run_date}/*.json")
    ]
    frames = [f[[c.dataset, c.reason]] for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame({c.dataset: pd.Series(dtype="string"), c.reason: pd.Series(dtype="string")})
    return pd.concat(frames, ignore_index=True)


def read_curated_customers(root: str, run_date: str, config: GxConfig) -> pd.DataFrame:
    """The day's curated customers partition (id, email, country)."""
    import pandas as pd

    c = config.columns
    columns = [c.customer_id, c.email, c.country]
    frames = [
        pd.read_parquet(handle, columns=columns)
        for handle in _open_all(f"{root.rstrip('/')}/customers/dt={run_date}/*.parquet")
    ]
    if not frames:
        return pd.DataFrame({name: pd.Series(dtype="string") for name in columns})
    return pd.concat(frames, ignore_index=True)


def build_marts_checkpoint(
    context: AbstractDataContext,
    settings: Settings,
    run_date: str,
    *,
    config: GxConfig | None = None,
    docs_dir: Path | None = None,
    publish: bool = True,
) -> Checkpoint:
    """Fetch the data, build the suites with today's bounds, and return the checkpoint on `context`."""
    import great_expectations as gx
    from great_expectations.checkpoint.actions import UpdateDataDocsAction
    from great_expectations.data_context.types.base import ProgressBarsConfig

    from include.dataops.gx import suites
    from include.dataops.gx.actions import PublishArtifactsAction, RemoveFramesAction

    config = config or GxConfig()
    day = _iso_day(run_date)
    frames = fetch_frames(settings, day, config)
    history = frames.pop("history")
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
        batch = asset.add_batch_definition_whole_dataframe(name)
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
    config: GxConfig | None = None,
    docs_dir: Path | None = None,
    publish: bool = True,
) -> GxResult:
    """Run the marts checkpoint on an ephemeral context; never raises for failed expectations."""
    import great_expectations as gx

    settings = settings or load_settings()
    day = _iso_day(run_date)
    context = gx.get_context(mode="ephemeral")
    checkpoint = build_marts_checkpoint(
        context, settings, day, config=config, docs_dir=docs_dir, publish=publish
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
    locations = GxLocations(settings.buckets.artifacts, _iso_day(run_date))
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


def gx_validate_marts_task(
    settings: Settings | None = None,
    task_id: str = "gx_validate_marts",
    run_date_task_id: str = "resolve_run_date",
    **operator_kwargs: Any,
) -> BaseOperator:
    """The GX provider's checkpoint operator, configured for the marts checkpoint.

    The checkpoint is built when the task runs (the data is fetched then, never at parse time), for
    the day the `run_date_task_id` task resolved (its XCom `{"run_date": ...}`), so GX validates
    exactly the day every other task of the run processed. The operator fails
    the task when an expectation fails, after the checkpoint's actions published the summary, so
    a quality gate with trigger_rule="all_done" can still name every failed check
    (``load_gx_result``). Retries come from the DAG's default_args (the house rule), for errors
    that can pass, such as a warehouse or S3 outage; a failed validation is a verdict on the data,
    which a retry cannot change, so it fails the task at once (AirflowFailException).
    """
    from great_expectations_provider.common.errors import GXValidationFailed
    from great_expectations_provider.operators.validate_checkpoint import GXValidateCheckpointOperator

    # Defined here, not at module level, so that importing this module never imports the provider.
    class GXValidateMartsOperator(GXValidateCheckpointOperator):
        def execute(self, context: Any) -> None:
            from airflow.sdk.exceptions import AirflowFailException

            try:
                super().execute(context)
            except GXValidationFailed as failed:
                raise AirflowFailException(str(failed)) from failed

    return GXValidateMartsOperator(
        task_id=task_id,
        configure_checkpoint=_CheckpointFromTaskContext(settings or load_settings(), run_date_task_id),
        context_type="ephemeral",
        **operator_kwargs,
    )


@dataclass(frozen=True)
class _CheckpointFromTaskContext:
    """A picklable callable the operator calls at execute time with its GX context."""

    settings: Settings
    run_date_task_id: str

    def __call__(self, context: AbstractDataContext) -> Checkpoint:
        from airflow.sdk import get_current_context

        resolved = get_current_context()["ti"].xcom_pull(task_ids=self.run_date_task_id)
        if not resolved or not resolved.get("run_date"):
            raise GxCheckError(
                f"task {self.run_date_task_id!r} left no run date: "
                "run GX downstream of it, in the same DAG run."
            )
        return build_marts_checkpoint(context, self.settings, resolved["run_date"])


def _configure_docs_site(context: AbstractDataContext, docs_dir: Path) -> None:
    site = {
        "class_name": "SiteBuilder",
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
    }
    if DOCS_SITE in context.list_data_docs_sites():
        context.update_data_docs_site(DOCS_SITE, site)
    else:
        context.add_data_docs_site(DOCS_SITE, site)


def _open_all(pattern: str) -> Iterable[Any]:
    from fsspec.core import url_to_fs

    fs, path = url_to_fs(pattern)
    for match in sorted(fs.glob(path)):
        with fs.open(match, "rb") as handle:
            yield handle


def _iso_day(run_date: str) -> str:
    try:
        return date.fromisoformat(str(run_date)[:10]).isoformat()
    except ValueError:
        raise GxCheckError(f"run date {run_date!r} is not a date: use YYYY-MM-DD.") from None


def _detail(result: Mapping[str, Any], meta: Mapping[str, Any], exception: Mapping[str, Any]) -> str:
    if exception.get("raised_exception"):
        return f"raised {str(exception.get('exception_message', '')).splitlines()[0]}"
    parts = []
    if "observed_value" in result:
        observed = result["observed_value"]
        parts.append(f"observed {observed:.6g}" if isinstance(observed, float) else f"observed {observed}")
    if result.get("unexpected_count"):
        sample = ", ".join(map(str, (result.get("partial_unexpected_list") or [])[:3]))
        parts.append(
            f"{result['unexpected_count']} of {result.get('element_count')} unexpected"
            + (f" (e.g. {sample})" if sample else "")
        )
    if meta.get("basis"):
        parts.append(f"expected {meta['basis']}")
    return "; ".join(parts)


def main(argv: list[str] | None = None) -> int:
    """`make gx-check`: the checks on the real local marts if dbt built them, else on sample data."""
    import argparse
    import os
    import sys

    from tooling.local.gx_sample import SCENARIOS, build_sample, sample_conn_id, sample_connection_uri

    parser = argparse.ArgumentParser(prog="python -m include.dataops.gx.checks", description=main.__doc__)
    parser.add_argument(
        "--run-date", help="the day to check, YYYY-MM-DD (default: the newest day in the marts)"
    )
    parser.add_argument("--sample", action="store_true", help="use sample data even if the marts exist")
    parser.add_argument("--scenario", choices=SCENARIOS, default="clean", help="sample data scenario")
    parser.add_argument("--no-publish", action="store_true", help="do not upload results and docs to S3")
    args = parser.parse_args(argv)
    settings = load_settings()
    try:
        run_date = None if args.sample else _newest_mart_day(settings)
        if run_date is None:
            run_date = _iso_day(args.run_date or (date.today() - timedelta(days=1)).isoformat())
            root = REPO_ROOT / ".local" / "gx" / "sample"
            settings = build_sample(root, run_date, settings, scenario=args.scenario)
            os.environ[f"AIRFLOW_CONN_{sample_conn_id(root).upper()}"] = sample_connection_uri(root)
            print(f"checking sample data ({args.scenario}) for {run_date} in {root}")
        else:
            run_date = _iso_day(args.run_date or run_date)
            print(f"checking the marts in {settings.warehouse.conn_id} for {run_date}")
        result = validate_marts(run_date, settings, publish=not args.no_publish)
    except (GxCheckError, RuntimeError, ValueError) as exc:
        print(f"error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    counts = result.counts()
    print(
        f"{counts['checks_passed']}/{counts['checks_total']} checks passed in {counts['suites_total']} suites"
    )
    for line in result.failed_checks():
        print(f"  FAILED {line}")
    print(f"data docs: {result.docs_local}" + (f" and {result.docs_uri}" if result.docs_uri else ""))
    return 0 if result.success else 1


def _newest_mart_day(settings: Settings) -> str | None:
    """The newest order_date in the real marts, or None when dbt has not built them here."""
    from include.dataops.warehouse import WarehouseError, scalar

    config = GxConfig()
    sql = (
        f"select max({config.columns.order_date}) from "
        f"{settings.warehouse.schema}.{config.tables.orders_daily}"
    )
    try:
        newest = scalar(sql, settings.warehouse.conn_id)
    except WarehouseError as exc:
        print(f"no marts to check in the local warehouse ({exc}): using sample data")
        return None
    return str(newest)[:10] if newest is not None else None


if __name__ == "__main__":
    raise SystemExit(main())
