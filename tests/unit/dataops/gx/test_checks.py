"""The GX building blocks that need no GX run: bounds, reason set, run date, result naming."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from include.dataops.gx.checks import GxCheck, GxCheckError, GxResult, read_quarantine
from include.dataops.gx.config import FALLBACK_REASONS, GxConfig, known_quarantine_reasons
from include.dataops.gx.suites import mean_bounds, volume_bounds

CONFIG = GxConfig()


def test_volume_bounds_use_trailing_median_with_enough_history() -> None:
    bounds = volume_bounds([100, 120, 80, 1000], CONFIG)
    assert (bounds.low, bounds.high) == (55, 220)
    assert "median 110" in bounds.basis


def test_volume_bounds_fall_back_to_the_floor_when_history_is_short() -> None:
    bounds = volume_bounds([500, 600], CONFIG)
    assert (bounds.low, bounds.high) == (CONFIG.thresholds.volume_floor, None)
    assert "2 days of history" in bounds.basis


def test_mean_bounds_are_clipped_to_the_absolute_range() -> None:
    assert (
        mean_bounds([], CONFIG).low,
        mean_bounds([], CONFIG).high,
    ) == CONFIG.thresholds.order_total_mean_range
    bounds = mean_bounds([100.0, 200.0, 300.0], CONFIG)
    assert (bounds.low, bounds.high) == (100.0, 400.0)
    huge = mean_bounds([9_000.0] * 3, CONFIG)
    assert huge.high == CONFIG.thresholds.order_total_mean_range[1]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('REASONS = ("b", "a")\n', ("a", "b")),
        ('REASONS: dict[str, str] = {"x": "why x", "w": "why w"}\n', ("w", "x")),
        ('REASONS = frozenset({"z", "y"})\n', ("y", "z")),
    ],
)
def test_reasons_are_read_from_the_glue_script(
    tmp_path: Path, source: str, expected: tuple[str, ...]
) -> None:
    script = tmp_path / "orders_transform.py"
    script.write_text("import os\n" + source)
    assert known_quarantine_reasons(script) == expected


def test_reasons_fallback_and_non_literal_error(tmp_path: Path) -> None:
    assert known_quarantine_reasons(tmp_path / "absent.py") == FALLBACK_REASONS
    script = tmp_path / "orders_transform.py"
    script.write_text("REASONS = build()\n")
    with pytest.raises(ValueError, match="not a literal: write it as a tuple"):
        known_quarantine_reasons(script)


def test_gx_without_the_resolved_run_date_is_a_one_line_error() -> None:
    """GX validates the day resolve_run_date decided; run on its own, it says what is missing."""
    from airflow.sdk.execution_time.context import set_current_context

    from include.dataops.gx.checks import _CheckpointFromTaskContext
    from include.dataops.settings import load_settings

    class NothingUpstream:
        def xcom_pull(self, task_ids: str) -> None:
            return None

    checkpoint = _CheckpointFromTaskContext(load_settings("local"), "resolve_run_date")
    with (
        set_current_context({"ti": NothingUpstream()}),  # type: ignore[arg-type]
        pytest.raises(GxCheckError, match="task 'resolve_run_date' left no run date"),
    ):
        checkpoint(None)  # type: ignore[arg-type]


def test_result_names_failures_and_round_trips() -> None:
    result = GxResult(
        run_date="2026-11-23",
        success=False,
        checks=[
            GxCheck("s1", "a.ok", True, "ok"),
            GxCheck("s1", "a.bad", False, "observed 3"),
            GxCheck("s2", "b.ok", True, "ok"),
        ],
    )
    assert result.failed_checks() == ["gx s1.a.bad: observed 3"]
    assert result.counts() == {"suites_total": 2, "suites_passed": 1, "checks_total": 3, "checks_passed": 2}
    assert GxResult.from_dict(json.loads(json.dumps(result.to_dict()))) == result


def test_read_quarantine_across_datasets_and_when_empty(tmp_path: Path) -> None:
    assert read_quarantine(str(tmp_path), "2026-11-23", CONFIG).empty
    for dataset, reason in (("orders", "wrong_type"), ("customers", "missing_field")):
        folder = tmp_path / dataset / "dt=2026-11-23"
        folder.mkdir(parents=True)
        record = {"dataset": dataset, "reason": reason, "detail": "d", "source_file": "f", "source_line": 1}
        (folder / "part-0.json").write_text(json.dumps({**record, "raw": "{"}) + "\n")
    frame = read_quarantine(str(tmp_path), "2026-11-23", CONFIG)
    assert sorted(frame["reason"]) == ["missing_field", "wrong_type"]
    assert list(frame.columns) == ["dataset", "reason"]


def test_a_failed_validation_fails_the_task_without_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retrying cannot change a verdict on the data; other errors keep the DAG's retries."""
    from airflow.sdk.exceptions import AirflowFailException
    from great_expectations_provider.common.errors import GXValidationFailed
    from great_expectations_provider.operators.validate_checkpoint import GXValidateCheckpointOperator

    from include.dataops.gx.checks import gx_validate_marts_task
    from include.dataops.settings import load_settings

    def provider_raises(error: Exception):
        def execute(self, context):
            raise error

        return execute

    operator = gx_validate_marts_task(load_settings("local"))
    verdict = GXValidationFailed(message="2 of 13 expectations failed")
    monkeypatch.setattr(GXValidateCheckpointOperator, "execute", provider_raises(verdict))
    with pytest.raises(AirflowFailException, match="2 of 13 expectations failed"):
        operator.execute({})

    monkeypatch.setattr(GXValidateCheckpointOperator, "execute", provider_raises(ConnectionError("S3 down")))
    with pytest.raises(ConnectionError):
        operator.execute({})
