"""What a dbt invocation did, read from its run_results.json (and manifest.json for names).

The quality gate needs every failed test and errored model, the metrics need each model's
duration, and the run summary needs the counts. Cosmos runs one dbt build per run, and a
sensor's retry runs dbt again for its node, so a run may leave several run_results files:
``parse_run_results`` merges any number of them. ``is_verdict`` tells a failure a retry cannot
change from one it can.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MODEL_FAILED = ("error",)
TEST_FAILED = ("fail", "error")
_TEST_TYPES = ("test", "unit_test")


# dbt errors a retry can clear: the warehouse or S3 busy or unreachable, not the SQL or the data.
TRANSIENT_ERROR = re.compile(
    r"could not set lock|conflicting lock|database is locked|connection (refused|reset|timed out)"
    r"|could not connect|server closed the connection|ssl syscall|broken pipe|timed? ?out"
    r"|temporarily unavailable|service ?unavailable|slow ?down|throttl|too many connections",
    re.IGNORECASE,
)


def is_verdict(status: str, message: str | None) -> bool:
    """Whether a failed dbt node is a verdict on the data or the SQL, which a retry cannot change.

    A failed test is one; an errored node is one unless its message is a transient error.
    """
    status = status.lower()
    if status == "fail":
        return True
    return status in MODEL_FAILED and not TRANSIENT_ERROR.search(message or "")


class DbtResultsError(ValueError):
    """A run_results.json that cannot be read; the message names the file and the fix."""


@dataclass(frozen=True)
class ModelTiming:
    unique_id: str
    name: str
    status: str
    seconds: float


@dataclass(frozen=True)
class TestOutcome:
    __test__ = False  # a dbt test's outcome, not a pytest test class

    unique_id: str
    name: str
    status: str
    failures: int | None
    message: str
    attached_to: str | None = None

    @property
    def failed(self) -> bool:
        return self.status in TEST_FAILED


@dataclass
class DbtRunSummary:
    models: list[ModelTiming] = field(default_factory=list)
    tests: list[TestOutcome] = field(default_factory=list)

    @property
    def failed_models(self) -> list[ModelTiming]:
        return [m for m in self.models if m.status in MODEL_FAILED]

    @property
    def failed_tests(self) -> list[TestOutcome]:
        return [t for t in self.tests if t.failed]

    @property
    def model_durations(self) -> dict[str, float]:
        return {m.name: m.seconds for m in self.models if m.status == "success"}

    def failed_checks(self) -> list[str]:
        """One line per failing node, named so a reader can find it in dbt's output."""
        lines = [f"dbt model {m.name} ({m.unique_id}): {m.status}" for m in self.failed_models]
        for test in self.failed_tests:
            detail = f"{test.failures} failing rows" if test.failures else test.message or test.status
            lines.append(f"dbt test {test.name} ({test.unique_id}): {test.status}, {detail}")
        return lines

    def warned_checks(self) -> list[str]:
        """One line per test that warned (severity warn): it fails nothing, so the run summary says it."""
        return [f"dbt test {t.name} warned: {t.failures} rows" for t in self.tests if t.status == "warn"]

    def counts(self) -> dict[str, int]:
        return {
            "models_total": len(self.models),
            "models_passed": sum(1 for m in self.models if m.status == "success"),
            "tests_total": len(self.tests),
            "tests_passed": sum(1 for t in self.tests if t.status == "pass"),
            "tests_failed": len(self.failed_tests),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (for XCom and the run summary)."""
        return {"models": [asdict(m) for m in self.models], "tests": [asdict(t) for t in self.tests]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DbtRunSummary:
        return cls(
            models=[ModelTiming(**m) for m in data.get("models", [])],
            tests=[TestOutcome(**t) for t in data.get("tests", [])],
        )


def parse_run_results(
    run_results: Iterable[Mapping[str, Any]], manifest: Mapping[str, Any] | None = None
) -> DbtRunSummary:
    """Merge run_results documents; a node seen twice keeps its last result (a retry wins)."""
    nodes = _manifest_nodes(manifest)
    latest: dict[str, Mapping[str, Any]] = {}
    for document in run_results:
        for result in document.get("results", []):
            latest[result["unique_id"]] = result
    summary = DbtRunSummary()
    for unique_id, result in latest.items():
        resource_type = unique_id.split(".", 1)[0]
        node = nodes.get(unique_id, {})
        # test.<package>.<name>[.<hash>] (a singular test has no hash); any other <type>.<...>.<name>.
        parts = unique_id.split(".")
        name = node.get("name") or parts[2 if resource_type == "test" and len(parts) > 2 else -1]
        status = str(result.get("status", "")).lower()
        if resource_type in _TEST_TYPES:
            summary.tests.append(
                TestOutcome(
                    unique_id=unique_id,
                    name=name,
                    status=status,
                    failures=result.get("failures"),
                    message=_first_line(result.get("message")),
                    attached_to=node.get("attached_node") or node.get("model"),
                )
            )
        elif resource_type in ("model", "snapshot", "seed"):
            summary.models.append(
                ModelTiming(unique_id, name, status, round(float(result.get("execution_time") or 0.0), 3))
            )
    return summary


def load_run_results(paths: Iterable[str | Path], manifest_path: str | Path | None = None) -> DbtRunSummary:
    """Read run_results.json files (and optionally the manifest) from disk."""
    documents = [_read_json(Path(p), "rerun the dbt task that should have written it") for p in paths]
    manifest = _read_json(Path(manifest_path), "run `dbt parse` to write it") if manifest_path else None
    return parse_run_results(documents, manifest)


def _manifest_nodes(manifest: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    if not manifest:
        return {}
    return {**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}


def _read_json(path: Path, fix: str) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise DbtResultsError(f"dbt file {path} does not exist: {fix}.") from None
    except json.JSONDecodeError as exc:
        raise DbtResultsError(f"dbt file {path} is not valid JSON ({exc.msg}): {fix}.") from None


def _first_line(message: Any) -> str:
    return str(message).strip().splitlines()[0] if message else ""
