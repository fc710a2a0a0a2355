"""The quality gate: nothing is published unless reconciliation, dbt tests and GX all passed.

Each input may arrive as the producing module's object or as its JSON form from XCom. A missing
input is itself a failed check: a gate that passes because a stage did not report would
publish unchecked data. On failure the error names every failed check, one per line, and
``run_quality_gate`` first pages the full list to the alerts topic: the incident's one page (the
task failure callback records a verdict without paging again, include/dataops/airflow/defaults.py).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from include.dataops.gx.checkpoint import load_gx_result
from include.dataops.gx.results import GxCheck, GxCheckError, GxResult
from include.dataops.pipeline.dbt_results import DbtRunSummary, load_run_results
from include.dataops.settings import Settings, load_settings

log = logging.getLogger(__name__)


class QualityGateError(RuntimeError):
    """The gate refused the run; the first line summarises, each further line is one failed check."""


@dataclass
class GateOutcome:
    run_date: str
    passed_checks: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    def message(self) -> str:
        total = sum(self.passed_checks.values()) + len(self.failures)
        head = f"quality gate failed for {self.run_date}: {len(self.failures)} of {total} checks failed"
        return "\n".join([head, *(f"- {line}" for line in self.failures)])

    def summary(self) -> dict[str, Any]:
        return {
            "run_date": self.run_date,
            "passed": self.passed,
            "checks_passed": sum(self.passed_checks.values()),
            "checks_failed": len(self.failures),
            "passed_by_stage": dict(self.passed_checks),
        }


def evaluate_gate(
    run_date: str,
    reconciliation: Any,
    dbt: DbtRunSummary | Mapping[str, Any] | None,
    gx: GxResult | Mapping[str, Any] | None,
) -> GateOutcome:
    """Combine the three stages' results without raising."""
    outcome = GateOutcome(run_date)
    _add_reconciliation(outcome, reconciliation)
    _add_dbt(outcome, dbt)
    _add_gx(outcome, gx)
    return outcome


def check_quality_gate(
    run_date: str,
    reconciliation: Any,
    dbt: DbtRunSummary | Mapping[str, Any] | None,
    gx: GxResult | Mapping[str, Any] | None,
) -> dict[str, Any]:
    """Raise QualityGateError naming every failed check; on pass return the counts."""
    outcome = evaluate_gate(run_date, reconciliation, dbt, gx)
    if not outcome.passed:
        raise QualityGateError(outcome.message())
    return outcome.summary()


def run_quality_gate(
    run_date: str,
    reconciliation: Any,
    run_results_paths: Iterable[str | Path] = (),
    manifest_path: str | Path | None = None,
    *,
    dbt: DbtRunSummary | Mapping[str, Any] | None = None,
    gx: GxResult | Mapping[str, Any] | None = None,
    settings: Settings | None = None,
    alert: bool = True,
    gx_not_before: datetime | None = None,
) -> dict[str, Any]:
    """The DAG's gate task: reads dbt's run_results and the published GX summary when not given.

    A GX summary that is missing, or older than `gx_not_before` (the run's start), is a failed check.
    """
    settings = settings or load_settings()
    paths = list(run_results_paths)
    if dbt is None and paths:
        dbt = load_run_results(paths, manifest_path)
    if gx is None:
        try:
            gx = load_gx_result(run_date, settings, not_before=gx_not_before)
        except GxCheckError as exc:
            log.warning("%s", exc)
    outcome = evaluate_gate(run_date, reconciliation, dbt, gx)
    _publish_verdict(settings, outcome.passed)
    if not outcome.passed:
        if alert:
            from include.dataops.observability.notify import send_alert

            # An SNS outage must not hide the verdict: notify logged the error and the payload.
            with contextlib.suppress(Exception):
                send_alert(
                    settings,
                    f"[{settings.environment}] quality gate failed for {run_date}",
                    outcome.message(),
                )
        raise QualityGateError(outcome.message())
    return outcome.summary()


def _publish_verdict(settings: Settings, passed: bool) -> None:
    """QualityGatePassed for the alarm; best effort, so a CloudWatch hiccup cannot flip the verdict."""
    from include.dataops.observability.metrics import publish_run_metrics

    try:
        publish_run_metrics(settings, quality_gate_passed=passed)
    except Exception as exc:
        log.warning("could not publish QualityGatePassed=%d: %s", int(passed), exc)


def _add_reconciliation(outcome: GateOutcome, reconciliation: Any) -> None:
    if reconciliation is None:
        outcome.failures.append("reconciliation: no result (did the reconcile task run?)")
        return
    checks = _field(reconciliation, "checks") or []
    if not checks:
        outcome.failures.append("reconciliation: the result holds no checks (is the run manifest empty?)")
        return
    passed = 0
    for check in checks:
        if _field(check, "passed"):
            passed += 1
        else:
            detail = _field(check, "message") or _field(check, "detail") or "failed"
            outcome.failures.append(f"reconciliation {_field(check, 'name')}: {detail}")
    outcome.passed_checks["reconciliation"] = passed


def _add_dbt(outcome: GateOutcome, dbt: DbtRunSummary | Mapping[str, Any] | None) -> None:
    if dbt is None:
        outcome.failures.append(
            "dbt: no run_results (did the dbt task group run and write run_results.json?)"
        )
        return
    summary = dbt if isinstance(dbt, DbtRunSummary) else DbtRunSummary.from_dict(dbt)
    if not summary.models and not summary.tests:
        outcome.failures.append("dbt: run_results hold no models or tests (was the selection empty?)")
        return
    outcome.failures.extend(summary.failed_checks())
    counts = summary.counts()
    outcome.passed_checks["dbt"] = counts["models_passed"] + counts["tests_passed"]


def _add_gx(outcome: GateOutcome, gx: GxResult | Mapping[str, Any] | None) -> None:
    if gx is None:
        outcome.failures.append("gx: no result (did the GX task run?)")
        return
    try:
        result = gx if isinstance(gx, GxResult) else _gx_from_mapping(gx, outcome.run_date)
    except GxCheckError as exc:
        outcome.failures.append(f"gx: {exc}")
        return
    if not result.checks:
        outcome.failures.append("gx: the result holds no checks (were the suites empty?)")
        return
    outcome.failures.extend(result.failed_checks())
    outcome.passed_checks["gx"] = result.counts()["checks_passed"]


def _gx_from_mapping(data: Mapping[str, Any], run_date: str) -> GxResult:
    """A GxResult dict, or the GX provider operator's XCom (CheckpointResult.describe_dict())."""
    if "checks" in data:
        return GxResult.from_dict(data)
    checks = []
    for index, validation in enumerate(data.get("validation_results", [])):
        for expectation in validation.get("expectations", []):
            kwargs = expectation.get("kwargs") or {}
            column = f"({kwargs['column']})" if kwargs.get("column") else ""
            observed = (expectation.get("result") or {}).get("observed_value")
            checks.append(
                GxCheck(
                    suite=f"validation_{index}",
                    check=f"{expectation.get('expectation_type')}{column}",
                    success=bool(expectation.get("success")),
                    detail=f"observed {observed}" if observed is not None else "see the GX result",
                )
            )
    return GxResult(run_date=run_date, success=bool(data.get("success")), checks=checks)


def _field(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)
