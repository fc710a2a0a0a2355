"""Peak memory per stage: what the flat-memory goal compares, and that a stage is measured at all."""

from __future__ import annotations

from bench.stage_memory import STAGES, memory_report, watched


def _size(rows: int, mb: float, glue_mb: float | None = None) -> dict:
    return {"rows": rows, "peak_rss_mb": {s: mb for s in STAGES} | {"glue": glue_mb or mb}}


def test_memory_is_flat_when_every_stage_stays_within_the_ratio_and_names_the_worst_one():
    goal, line = memory_report([_size(1_000_000, 1000.0), _size(10_000_000, 1400.0)])
    assert goal["met"] and line.endswith("1.40x at most (glue), met")
    goal, line = memory_report([_size(1_000_000, 1000.0), _size(10_000_000, 1000.0, glue_mb=4000.0)])
    assert not goal["met"] and line.endswith("4.00x at most (glue), MISSED")


def test_without_both_sizes_the_goal_is_not_measured():
    goal, line = memory_report([_size(10_000, 500.0)])
    assert goal["met"] is None and "not measured (opt in: ROWS=1000000,10000000)" in line


def test_a_stage_as_short_as_one_call_still_has_its_peak():
    peaks: dict[str, float] = {}
    assert watched("gate", lambda: 42, peaks)[0] == 42
    assert peaks["gate"] > 10  # this process's own resident memory, sampled at both ends
