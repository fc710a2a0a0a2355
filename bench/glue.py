"""The Glue job profiled: where its time goes per step, against the one-query DuckDB floor.

For each size, in a fresh sandbox, it generates one raw day and runs glue_jobs/orders_transform.py
unedited through the local Glue runner with the Spark event log on. It reports the run's wall time,
the CPU and peak resident memory of its processes (Python driver and JVM), and from the event log
the time of each step the script labels: read, parse, validate and dedup happen in one pass that
fills the cache while counting (Spark fuses them), then write curated and write quarantine, per
dataset; "before first job" is session start to the first Spark job (listing, planning).
A cold Spark session is measured apart, so "grows" = wall - Spark start-up.

Goals: Glue's growing part within 15x the floor at 1M orders (the pipeline's goal this round,
which Glue alone must meet first); with a 10M size, peak memory within 1.5x of 1M's (flat:
streaming, nothing collected to the driver). A benchmark: it reports goals, never fails on them.

    python -m bench.glue [--rows 10000,1000000] [--keep]     (make bench-glue ROWS=10000000)
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bench.common import print_table, verdict, write_results
from bench.glue_profile import TreeSampler, event_log_profile
from bench.pipeline import parse_rows
from bench.pipeline_stages import RUN_DATE, BenchError, floor, load, sandbox, spark_start_up, timed
from include.dataops.settings import REPO_ROOT, load_settings

DEFAULT_ROWS = (10_000, 1_000_000)
BAD_SHARE = 0.02
SEED = 42
GOAL_ROWS = 1_000_000
GOAL_FLOOR_RATIO = 15.0
GOAL_MEMORY_RATIO = 1.5
STEPS = ("read, parse, validate, dedup, count", "write curated", "write quarantine")
HOW = "glue_jobs/orders_transform.py through tooling.local.glue_job, event log on, one sandbox per size"


def bench_size(rows: int, keep: bool) -> dict[str, Any]:
    from include.dataops.airflow.glue import GLUE_SCRIPT, job_arguments
    from tooling.local import sample_data
    from tooling.local.glue_job import GlueLocalRunError, run_glue_script_locally

    run_date = RUN_DATE.isoformat()
    with sandbox(f"dataops-bench-glue-{rows}-", keep) as root:
        settings = load_settings()
        _, generate_s = timed(
            lambda: sample_data.generate(settings.lake.raw, RUN_DATE, 1, rows, BAD_SHARE, SEED)
        )
        events = root / "spark-events"
        events.mkdir()
        load_before = load()
        try:
            with TreeSampler() as sampler:
                manifest, wall_s = timed(
                    lambda: run_glue_script_locally(
                        GLUE_SCRIPT, job_arguments(settings, run_date), event_log_dir=str(events)
                    )
                )
        except GlueLocalRunError as exc:
            raise BenchError(f"the Glue job failed at {rows} rows: {str(exc).splitlines()[0]}") from None
        _, floor_s = floor(settings.lake.raw, run_date)
        profile = event_log_profile(events)
        if not keep:
            profile.pop("event_log")
        print(
            f"  generate {generate_s:.1f} s, glue {wall_s:.1f} s (cpu {sampler.cpu_s:.1f} s,"
            f" peak {sampler.peak_rss_mb:.0f} MB), floor {floor_s:.2f} s",
            flush=True,
        )
        return {
            "rows": rows,
            "generate_s": generate_s,
            "glue_s": wall_s,
            "cpu_s": sampler.cpu_s,
            "peak_rss_mb": sampler.peak_rss_mb,
            "floor_s": floor_s,
            "orders_written": manifest["datasets"]["orders"]["written"],
            "profile": profile,
            "load_before": load_before,
            "load_after": load(),
            "sandbox": str(root) if keep else None,
        }


def _step_rows(results: list[dict[str, Any]]) -> list[list[object]]:
    rows: list[list[object]] = []
    for r in results:
        p = r["profile"]
        steps = p["steps_s"]
        rows.append(
            [
                r["rows"],
                p["before_first_job_s"],
                *[
                    steps.get(f"{dataset}: {step}", 0.0)
                    for dataset in ("orders", "customers")
                    for step in STEPS
                ],
                p["between_jobs_s"],
                r["peak_rss_mb"],
            ]
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default=None, help="orders per size, comma separated (default 10k,1M)")
    parser.add_argument("--keep", action="store_true", help="keep each size's sandbox (and event log)")
    args = parser.parse_args(argv)
    sizes = parse_rows(args.rows) if args.rows else list(DEFAULT_ROWS)
    print(f"Glue benchmark: sizes {', '.join(map(str, sizes))}; load {load()}", flush=True)
    try:
        spark_fixed = spark_start_up()
        print(f"  cold Spark session {spark_fixed:.1f} s", flush=True)
        results = []
        for rows in sizes:
            print(f"{rows} rows ...", flush=True)
            results.append(bench_size(rows, args.keep))
    except BenchError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for r in results:
        r["grows_s"] = max(r["glue_s"] - spark_fixed, 0.0)
        r["grows_to_floor"] = r["grows_s"] / r["floor_s"]

    print("\nthe local Glue run, wall seconds (a shared 2-core machine: see load in the JSON)")
    print_table(
        ["rows", "glue s", "cpu s", "peak MB", "floor s", "grows s", "ratio"],
        [
            [r["rows"], r["glue_s"], r["cpu_s"], f"{r['peak_rss_mb']:.0f}", r["floor_s"], r["grows_s"],
             f"{r['grows_to_floor']:.1f}x"]
            for r in results
        ],
    )  # fmt: skip
    print("\nper step, from the Spark event log (read..count is one fused pass per dataset), seconds")
    print_table(
        [
            "rows", "before 1st job",
            *[f"{d[:4]} {s.split(',')[0]}" for d in ("orders", "customers") for s in STEPS],
            "between jobs", "peak MB",
        ],
        _step_rows(results),
    )  # fmt: skip
    print(f"\ncold Spark session {spark_fixed:.1f} s; grows = glue - cold session; ratio = grows / floor")

    goals = _goals(results)
    print("\ngoals:")
    for line in goals["lines"]:
        print(f"  {line}")
    path = write_results(
        "glue",
        {
            "how": HOW,
            "run_date": RUN_DATE.isoformat(),
            "bad_share": BAD_SHARE,
            "seed": SEED,
            "spark_start_up_s": spark_fixed,
            "goals": {k: v for k, v in goals.items() if k != "lines"},
            "sizes": results,
        },
    )
    print(f"\nwrote {path.relative_to(REPO_ROOT)}")
    return 0


def _goals(results: list[dict[str, Any]]) -> dict[str, Any]:
    at = {r["rows"]: r for r in results}
    goal = at.get(GOAL_ROWS)
    lines = [
        f"Glue's growing part within {GOAL_FLOOR_RATIO:.0f}x the floor at 1M: "
        + (f"{goal['grows_to_floor']:.1f}x, {verdict(goal['grows_to_floor'] <= GOAL_FLOOR_RATIO)}" if goal
           else "not measured (no 1000000 size)")
    ]  # fmt: skip
    big = at.get(10 * GOAL_ROWS)
    memory = big["peak_rss_mb"] / goal["peak_rss_mb"] if big and goal else None
    lines.append(
        f"peak memory at 10M within {GOAL_MEMORY_RATIO}x of 1M: "
        + (f"{memory:.2f}x, {verdict(memory <= GOAL_MEMORY_RATIO)}" if memory is not None
           else "not measured (opt in with ROWS=1000000,10000000)")
    )  # fmt: skip
    return {
        "lines": lines,
        "grows_within_floor": {
            "goal_ratio": GOAL_FLOOR_RATIO,
            "measured_ratio": goal["grows_to_floor"] if goal else None,
            "met": goal["grows_to_floor"] <= GOAL_FLOOR_RATIO if goal else None,
        },
        "memory_flat_10m": {
            "goal_ratio": GOAL_MEMORY_RATIO,
            "measured_ratio": memory,
            "met": memory <= GOAL_MEMORY_RATIO if memory is not None else None,
        },
    }


if __name__ == "__main__":
    sys.exit(main())
