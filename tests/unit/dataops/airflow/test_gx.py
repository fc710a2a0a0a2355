"""The GX task the DAG gets: which day and which schema it validates, and how its verdict fails the task."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from include.dataops.airflow.gx import CheckpointFromTaskContext, gx_validate_marts_task
from include.dataops.gx.results import GxCheckError
from include.dataops.gx.suites import ORDERS_DAILY_SUITE, ORDERS_SUITE
from include.dataops.settings import Settings
from tests.unit.dataops.gx.samples import AUDIT_SCHEMA, audit_settings, sample_settings, scratch_bucket

RUN_DATE = "2031-01-14"


class _RecordingTaskInstance:
    """Stands in for the running task: what resolve_run_date left, and what the operator pushes."""

    def __init__(self, resolved: dict[str, str] | None) -> None:
        self.resolved = resolved
        self.xcom: dict[str, object] = {}

    def xcom_pull(self, task_ids: str) -> dict[str, str] | None:
        return self.resolved if task_ids == "resolve_run_date" else None

    def xcom_push(self, key: str, value: object) -> None:
        self.xcom[key] = value


@pytest.fixture(scope="module")
def artifacts_bucket(aws_endpoint: str, settings: Settings) -> Iterator[str]:
    with scratch_bucket(aws_endpoint, settings.aws_region) as name:
        yield name


def test_importing_the_factory_imports_neither_gx_nor_pandas() -> None:
    """The DAG imports this module at parse time, and MWAA parses every DAG file every few seconds."""
    probe = (
        "import sys, include.dataops.airflow.gx;"
        "print(sorted({m.split('.')[0] for m in sys.modules}"
        " & {'great_expectations', 'great_expectations_provider', 'pandas'}))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_gx_without_the_resolved_run_date_is_a_one_line_error(settings: Settings) -> None:
    """GX validates the day resolve_run_date decided; run on its own, it says what is missing."""
    from airflow.sdk.execution_time.context import set_current_context

    checkpoint = CheckpointFromTaskContext(settings, "resolve_run_date")
    with (
        set_current_context({"ti": _RecordingTaskInstance(None)}),  # type: ignore[arg-type]
        pytest.raises(GxCheckError, match="task 'resolve_run_date' left no run date"),
    ):
        checkpoint(None)  # type: ignore[arg-type]


def test_a_failed_validation_fails_the_task_without_retries(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Retrying cannot change a verdict on the data; other errors keep the DAG's retries."""
    from airflow.sdk.exceptions import AirflowFailException
    from great_expectations_provider.common.errors import GXValidationFailed
    from great_expectations_provider.operators.validate_checkpoint import GXValidateCheckpointOperator

    def provider_raises(error: Exception):
        def execute(self, context):
            raise error

        return execute

    operator = gx_validate_marts_task(settings)
    verdict = GXValidationFailed(message="2 of 13 expectations failed")
    monkeypatch.setattr(GXValidateCheckpointOperator, "execute", provider_raises(verdict))
    with pytest.raises(AirflowFailException, match="2 of 13 expectations failed"):
        operator.execute({})

    monkeypatch.setattr(GXValidateCheckpointOperator, "execute", provider_raises(ConnectionError("S3 down")))
    with pytest.raises(ConnectionError):
        operator.execute({})


def _built(sample: Settings, resolved: dict[str, str]) -> dict[str, Any]:
    """The checkpoint the operator would run: each suite's frame and the volume check's basis."""
    import great_expectations as gx
    import pandas as pd
    from airflow.sdk.execution_time.context import set_current_context

    with set_current_context({"ti": _RecordingTaskInstance(resolved)}):  # type: ignore[arg-type]
        checkpoint = CheckpointFromTaskContext(sample, "resolve_run_date")(gx.get_context(mode="ephemeral"))
    paths = {d.name: Path(d.data.data_asset.path) for d in checkpoint.validation_definitions}
    frames = {name: pd.read_parquet(path) for name, path in paths.items()}
    shutil.rmtree(next(iter(paths.values())).parent)
    suite = next(d.suite for d in checkpoint.validation_definitions if d.name == ORDERS_SUITE)
    basis = next(
        e.meta["basis"] for e in suite.expectations if e.meta["check"].startswith("orders.row_count")
    )
    return {"frames": frames, "basis": basis}


@pytest.mark.integration
def test_the_marts_come_from_the_runs_audit_schema_and_history_from_the_consumer(
    tmp_path: Path, settings: Settings, artifacts_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample = audit_settings(tmp_path, settings, artifacts_bucket, monkeypatch, RUN_DATE)

    audit = _built(sample, {"run_date": RUN_DATE, "audit_schema": AUDIT_SCHEMA})
    assert audit["frames"][ORDERS_DAILY_SUITE]["order_count"].tolist() == [201]
    assert "O-bad" in set(audit["frames"][ORDERS_SUITE]["order_id"])
    assert audit["basis"] == "0.5x..2.0x the 7-day median 200"

    # Without the key (today's DAG before write-audit-publish) it checks the consumer schema,
    # where the unpublished day is absent.
    consumer = _built(sample, {"run_date": RUN_DATE})
    assert consumer["frames"][ORDERS_DAILY_SUITE].empty
    assert consumer["basis"] == audit["basis"]


@pytest.mark.integration
@pytest.mark.e2e
def test_clean_sample_passes_through_the_provider_operator(
    tmp_path: Path, settings: Settings, artifacts_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The operator the DAG gets, executed with a task context (the DAG run itself is the lead's e2e)."""
    from airflow.sdk.execution_time.context import set_current_context
    from great_expectations_provider.operators.validate_checkpoint import GXValidateCheckpointOperator

    from include.dataops.gx.checkpoint import load_gx_result

    sample = sample_settings(tmp_path, "clean", settings, artifacts_bucket, monkeypatch, RUN_DATE)
    monkeypatch.setattr("include.dataops.gx.checkpoint.default_docs_dir", lambda _s: tmp_path / "docs")
    operator = gx_validate_marts_task(sample)
    assert isinstance(operator, GXValidateCheckpointOperator)
    ti = _RecordingTaskInstance({"run_date": RUN_DATE})
    context = {"params": {}, "ti": ti}
    with set_current_context(context):  # type: ignore[arg-type]
        operator.execute(context)  # type: ignore[arg-type]
    described = ti.xcom["return_value"]
    assert described["success"] is True  # type: ignore[index]
    published = load_gx_result(RUN_DATE, sample)
    assert published.success is True
    assert published.counts()["checks_passed"] == published.counts()["checks_total"] > 10
