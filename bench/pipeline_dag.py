"""The orchestrated run: one size through `airflow dags test`, against the work its stages do.

In its own sandbox (lake, warehouse, a copy of the migrated metadata DB, Cosmos cache), it
generates the day, runs orders_nightly through tooling/local's `airflow dags test` backport, then
reads the run's task instances from the metadata DB:
- DAG wall: first task start to last task end (the CLI's own start-up and DAG parse excluded);
- the stages' own work: the durations of the tasks that do the pipeline's work (WORK_TASKS and
  the dbt build), in that same run. Every other task is orchestration (ORCHESTRATION_TASKS, and
  the dbt group's model sensors): its time, and the gaps between tasks, are what the DAG adds. A
  task in neither list is an error, so a new task is classified before it is measured;
- the dbt stage in the DAG (the dbt group's first start to its last end) against one `dbt build`
  of the same project and day, timed directly in the same sandbox right after (the median of
  ONE_BUILD_RUNS builds, each with a full parse like the producer's: a dbt start-up alone varies
  by a second here).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.common import print_table, verdict
from bench.pipeline_stages import RUN_DATE, BenchError, dbt_command, run_dbt, sandbox, timed
from include.dataops.settings import REPO_ROOT, load_settings

DAG_ID = "orders_nightly"
# Tasks that do the pipeline's work: transform, load the audit schema, validate, gate, publish, and
# what follows publish (the health report, dbt docs, the dbt timing check, audit-schema cleanup).
WORK_TASKS = (
    *("glue_transform", "reconcile", "register_partitions", "prepare_audit", "gx_validate_marts"),
    *("quality_gate", "publish", "report", "dbt_docs", "dbt_timing", "drop_expired_audits"),
)
# Tasks that only decide or wait: the run date's resolution and the landing sensor.
ORCHESTRATION_TASKS = ("resolve_run_date", "wait_for_raw_partition")
ONE_BUILD_RUNS = 3
# Cosmos's WATCHER build task; without it (ExecutionMode.LOCAL) every dbt task runs dbt itself.
PRODUCER = "dbt_producer_watcher"
GOAL_RATIO = 1.3
GOAL_SIZES = (10_000, 1_000_000)
HEADERS = ["rows", "DAG wall s", "work s", "wall/work", "dbt in DAG s", "one build s", "dbt ratio", "tasks"]


def bench_dag(rows: int, bad_share: float, seed: int, keep: bool) -> dict[str, Any]:
    """One DAG run of `rows` orders; every figure in seconds."""
    from tooling.local import dags_test_backport, sample_data
    from tooling.local.emulator import AIRFLOW_HOME

    run_date = RUN_DATE.isoformat()
    with sandbox(f"dataops-bench-dag-{rows}-", keep) as root:
        settings = load_settings()
        sample_data.generate(settings.lake.raw, RUN_DATE, 1, rows, bad_share, seed)
        home = root / "airflow"
        home.mkdir()
        shutil.copy2(AIRFLOW_HOME / "airflow.db", home / "airflow.db")
        env = {**os.environ, "AIRFLOW_HOME": str(home), "AIRFLOW__COSMOS__CACHE_DIR": str(root / "cosmos")}
        command = dags_test_backport.command(DAG_ID, "-c", json.dumps({"run_date": run_date}))
        log = root / "dags-test.log"
        start = time.perf_counter()
        with log.open("w") as out:
            done = subprocess.run(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=REPO_ROOT)
        process_s = time.perf_counter() - start
        if done.returncode:
            kept = Path(tempfile.gettempdir()) / f"dataops-bench-dag-{rows}.log"
            shutil.copy2(log, kept)
            raise BenchError(f"the DAG run at {rows} rows failed (exit {done.returncode}): see {kept}.")
        tasks = _task_instances(home / "airflow.db")
        # A full parse, as the producer pays it: the DAG's vars (run date, audit schema) change every
        # run, which defeats dbt's partial parsing; repeated builds with the same vars would not pay it.
        build = [*dbt_command("build", root, settings, run_date), "--no-partial-parse"]
        builds = [timed(lambda: run_dbt(build, root))[1] for _ in range(ONE_BUILD_RUNS)]
        return {
            "rows": rows,
            "process_s": process_s,
            "one_dbt_build_s": statistics.median(builds),
            "one_dbt_builds_s": builds,
            **summarize(tasks),
        }


def _task_instances(db: Path) -> list[dict[str, Any]]:
    # Only the run this bench made: the metadata DB is a copy of the bootstrap's, with its runs.
    newest_run = "select run_id from dag_run where dag_id = ? order by id desc limit 1"
    with sqlite3.connect(db) as con:
        found = con.execute(
            "select task_id, start_date, end_date, try_number, state from task_instance"
            f" where dag_id = ? and run_id = ({newest_run})",
            [DAG_ID, DAG_ID],
        ).fetchall()
    return [
        {"task_id": t, "start": _when(s), "end": _when(e), "tries": n, "state": state}
        for t, s, e, n, state in found
        if s and e
    ]


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def summarize(tasks: list[dict[str, Any]]) -> dict[str, Any]:
    """The run's wall, its stages' work, and the dbt stage, from its task instances."""

    def span(selected: list[dict[str, Any]]) -> float:
        return (max(t["end"] for t in selected) - min(t["start"] for t in selected)).total_seconds()

    def seconds(task: dict[str, Any]) -> float:
        return (task["end"] - task["start"]).total_seconds()

    work = {t["task_id"]: seconds(t) for t in tasks if t["task_id"] in WORK_TASKS}
    dbt = [t for t in tasks if t["task_id"].startswith("dbt.")]
    if len(work) < len(WORK_TASKS) or not dbt:
        raise BenchError(f"the run lacks stage tasks: found {sorted(work)} and {len(dbt)} dbt tasks.")
    known = {*WORK_TASKS, *ORCHESTRATION_TASKS}
    unknown = sorted(t["task_id"] for t in tasks if t["task_id"] not in known and t not in dbt)
    if unknown:
        raise BenchError(
            f"the run has tasks bench/pipeline_dag.py does not classify: {', '.join(unknown)};"
            " add each to WORK_TASKS or ORCHESTRATION_TASKS."
        )
    builds = [t for t in dbt if t["task_id"].endswith(PRODUCER)] or dbt
    work["dbt"] = sum(seconds(t) for t in builds)
    work_s = sum(work.values())
    wall_s = span(tasks)
    return {
        "dag_wall_s": wall_s,
        "work_s": work_s,
        "work_by_stage_s": work,
        "wall_to_work": wall_s / work_s,
        "dbt_stage_s": span(dbt),
        "dbt_tasks": len(dbt),
        "tasks": len(tasks),
        "failed_tasks": sorted(t["task_id"] for t in tasks if t["state"] != "success"),
    }


def report(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Print the orchestrated table and its goals; return the goals for the JSON."""
    for r in results:
        r["dbt_to_one_build"] = r["dbt_stage_s"] / r["one_dbt_build_s"]
    print(
        "\norchestrated: one `airflow dags test` run per size; DAG wall = first task start to last task"
        " end; work = the work tasks' durations in that run (below); orchestration = the rest (run-date"
        f" resolution, landing sensor, dbt model sensors) and the gaps between tasks; dbt in DAG = the"
        f" dbt group's span, against one `dbt build` run after it (median of {ONE_BUILD_RUNS})"
    )
    print_table(
        HEADERS,
        [
            [
                r["rows"], r["dag_wall_s"], r["work_s"], f"{r['wall_to_work']:.2f}x", r["dbt_stage_s"],
                r["one_dbt_build_s"], f"{r['dbt_to_one_build']:.2f}x", r["tasks"],
            ]
            for r in results
        ],
    )  # fmt: skip
    for r in results:
        by_task = sorted(r["work_by_stage_s"].items(), key=lambda item: -item[1])
        print(f"work at {r['rows']} rows, s: " + ", ".join(f"{task} {s:.2f}" for task, s in by_task))
    goals: dict[str, Any] = {}
    print("\ngoals (orchestrated):")
    for rows in GOAL_SIZES:
        r = next((r for r in results if r["rows"] == rows), None)
        met = r["wall_to_work"] <= GOAL_RATIO if r else None
        goals[f"dag_wall_to_work_{rows}"] = {
            "goal": GOAL_RATIO,
            "measured": r and r["wall_to_work"],
            "met": met,
        }
        measured = (
            f"{r['wall_to_work']:.2f}x, {verdict(bool(met))}" if r else f"not measured (no {rows} size)"
        )
        print(f"  DAG wall <= {GOAL_RATIO}x the stages' work at {rows} rows: {measured}")
    for r in results:
        met = r["dbt_to_one_build"] <= GOAL_RATIO
        goals[f"dbt_stage_to_one_build_{r['rows']}"] = {
            "goal": GOAL_RATIO,
            "measured": r["dbt_to_one_build"],
            "met": met,
        }
        print(
            f"  dbt stage in the DAG <= {GOAL_RATIO}x one dbt build at {r['rows']} rows:"
            f" {r['dbt_to_one_build']:.2f}x, {verdict(met)}"
        )
    return goals
