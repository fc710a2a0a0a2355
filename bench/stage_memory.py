"""Peak resident memory per pipeline stage, so a large size shows whether memory stays flat.

The in-process stages (reconcile, GX, the gate) grow this process; Glue's Spark JVM and dbt are
its children: each stage's figure is the largest sum of this process and its descendants seen
while the stage ran (bench/glue_profile.TreeSampler, sampled every 0.2 s and at both ends).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from bench.common import print_table, verdict
from bench.glue_profile import TreeSampler
from bench.pipeline_stages import timed

STAGES = ("glue", "reconcile", "dbt", "gx", "gate")
GOAL_RATIO = 1.5  # the largest size's peak per stage against 1M's: streaming, nothing collected
GOAL_BASE_ROWS, GOAL_ROWS = 1_000_000, 10_000_000
T = TypeVar("T")


def watched(stage: str, action: Callable[[], T], peaks: dict[str, float]) -> tuple[T, float]:
    """action() timed; its peak resident MB (this process and its children) goes to peaks[stage]."""
    with TreeSampler(include_self=True) as sampler:
        result, seconds = timed(action)
    peaks[stage] = sampler.peak_rss_mb
    return result, seconds


def memory_report(results: list[dict[str, Any]]) -> tuple[dict[str, Any], str]:
    """Print the peak-memory table; return the flat-memory goal for the JSON and its goals line."""
    print("\npeak resident MB per stage (this process and its children while the stage ran):")
    print_table(
        ["rows", *STAGES], [[r["rows"], *(round(r["peak_rss_mb"][s]) for s in STAGES)] for r in results]
    )
    base = next((r for r in results if r["rows"] == GOAL_BASE_ROWS), None)
    big = next((r for r in results if r["rows"] == GOAL_ROWS), None)
    line = f"  peak memory per stage at {GOAL_ROWS} rows <= {GOAL_RATIO}x that at {GOAL_BASE_ROWS}:"
    if not (base and big):
        unmeasured = {"goal": GOAL_RATIO, "measured": None, "met": None}
        return unmeasured, f"{line} not measured (opt in: ROWS=1000000,10000000)"
    ratios = {s: big["peak_rss_mb"][s] / base["peak_rss_mb"][s] for s in STAGES if base["peak_rss_mb"][s]}
    worst = max(ratios, key=lambda s: ratios[s])
    met = ratios[worst] <= GOAL_RATIO
    goal = {"goal": GOAL_RATIO, "measured": ratios, "met": met}
    return goal, f"{line} {ratios[worst]:.2f}x at most ({worst}), {verdict(met)}"
