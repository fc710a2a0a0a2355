"""The orchestrated benchmark's arithmetic: the run's wall, its stages' work, the dbt stage."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bench.pipeline_dag import WORK_TASKS, summarize
from bench.pipeline_stages import BenchError

T0 = datetime(2026, 11, 24, 3, 0)


def _task(task_id: str, start: float, seconds: float) -> dict:
    begin = T0 + timedelta(seconds=start)
    return {"task_id": task_id, "start": begin, "end": begin + timedelta(seconds=seconds), "state": "success"}


def test_work_counts_the_build_once_and_the_wall_spans_every_task():
    tasks = [_task(task, 10.0 * n, 2.0) for n, task in enumerate(WORK_TASKS)]
    tasks += [_task("resolve_run_date", -5.0, 1.0), _task("wait_for_raw_partition", 200.0, 1.0)]
    tasks += [_task("dbt.dbt_producer_watcher", 160.0, 6.0), _task("dbt.orders.run", 161.0, 7.0)]
    summary = summarize(tasks)
    assert summary["work_s"] == pytest.approx(2.0 * len(WORK_TASKS) + 6.0)
    assert summary["dag_wall_s"] == pytest.approx(206.0)
    assert summary["dbt_stage_s"] == pytest.approx(8.0)
    assert summary["wall_to_work"] == pytest.approx(206.0 / summary["work_s"])


def test_a_task_neither_work_nor_orchestration_is_a_one_line_error():
    tasks = [_task(task, 0.0, 1.0) for task in WORK_TASKS] + [_task("dbt.orders_model_build", 1.0, 1.0)]
    with pytest.raises(BenchError, match="does not classify: new_task; add each to WORK_TASKS"):
        summarize([*tasks, _task("new_task", 2.0, 1.0)])


def test_without_a_producer_every_dbt_task_is_dbt_work():
    tasks = [_task(task, 0.0, 1.0) for task in WORK_TASKS]
    tasks += [_task("dbt.orders_model_build", 1.0, 5.0), _task("dbt.customers_model_build", 6.0, 5.0)]
    assert summarize(tasks)["work_by_stage_s"]["dbt"] == pytest.approx(10.0)


def test_a_run_missing_a_stage_is_a_one_line_error():
    with pytest.raises(BenchError, match="lacks stage tasks"):
        summarize([_task("dbt.orders.run", 0.0, 1.0)])
