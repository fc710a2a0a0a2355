"""The GX value types and where results live: a leaf module every other GX module may import.

It imports nothing heavy (no great_expectations, pandas or airflow at run time) and nothing from the
package, so the quality gate, the notifier and the checkpoint actions share these types without
importing the checkpoint code or one another.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from great_expectations.checkpoint.checkpoint import CheckpointResult

VALIDATIONS_PREFIX = "gx/validations"
DOCS_PREFIX = "gx/data_docs"
SUMMARY_FILE = "summary.json"


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
                # A checkpoint's results always carry their expectation; GX types it Optional.
                check=(r.expectation_config.meta or {}).get("check") or r.expectation_config.type,  # type: ignore[union-attr]
                success=bool(r.success),
                detail=_detail(r.result or {}, r.expectation_config.meta or {}, r.exception_info or {})  # type: ignore[union-attr]
                or ("ok" if r.success else "failed"),
            )
            for suite_result in result.run_results.values()
            for r in suite_result.results
        ]
        return cls(run_date=run_date, success=bool(result.success), checks=checks, **locations)


@dataclass(frozen=True)
class GxLocations:
    """The artifacts-bucket keys of one day's results, summary and the Data Docs site."""

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


def iso_day(run_date: str) -> str:
    """The YYYY-MM-DD day of a run date or timestamp; every GX entry point normalises through it."""
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
