"""The DAG integrity gate: every DAG file imports, and every DAG meets the house rules.

These rules are what make a DAG operable at 3 a.m.: retries absorb transient AWS errors, the
failure callback pages someone, doc_md tells them what to do, and an explicit schedule with
catchup off stops a re-enabled DAG from backfilling months of runs.
"""

from __future__ import annotations

import ast
from datetime import timedelta

import pytest

from tests.dags.conftest import DAGS_DIR, dag_files


def test_every_dag_file_imports_without_errors(dagbag):
    assert dagbag.import_errors == {}, "\n".join(f"{f}: {e}" for f, e in dagbag.import_errors.items())


@pytest.mark.parametrize("path", dag_files(), ids=lambda p: p.name)
def test_every_dag_file_defines_a_dag(dagbag, path):
    defined = [dag for dag in dagbag.dags.values() if dag.fileloc == str(path)]
    assert defined, f"{path.name} defines no DAG (or Airflow's safe mode skipped it)"


def test_dag_ids_are_unique():
    """DagBag keeps the last DAG of a duplicated id silently; count the declarations instead."""
    from airflow.dag_processing.dagbag import DagBag

    seen: dict[str, str] = {}
    for path in dag_files():
        for dag_id in DagBag(dag_folder=str(path), include_examples=False).dags:
            assert dag_id not in seen, f"dag_id {dag_id!r} is declared in {seen.get(dag_id)} and {path.name}"
            seen[dag_id] = path.name
    assert seen


def _dags(dagbag):
    assert dagbag.dags, f"no DAGs were parsed from {DAGS_DIR}"
    return sorted(dagbag.dags.values(), key=lambda d: d.dag_id)


def test_each_dag_has_tags_owner_and_docs(dagbag):
    for dag in _dags(dagbag):
        assert dag.tags, f"{dag.dag_id}: add tags"
        assert dag.owner and dag.owner != "airflow", f"{dag.dag_id}: set an owner in default_args"
        assert dag.doc_md and len(dag.doc_md.strip()) > 80, f"{dag.dag_id}: write a doc_md for on-call"


def test_each_task_retries_with_a_delay_and_alerts_on_failure(dagbag):
    from include.dataops.pipeline.dbt_artifacts import PRODUCER_TASK_ID

    for dag in _dags(dagbag):
        for task in dag.tasks:
            where = f"{dag.dag_id}.{task.task_id}"
            # Cosmos never reruns the watcher's build on a retry (it skips): its sensors retry each node.
            need = 0 if task.task_id.endswith(PRODUCER_TASK_ID) else 2
            assert task.retries >= need, f"{where}: retries is {task.retries}, need >= {need}"
            assert task.retry_delay and task.retry_delay > timedelta(0), f"{where}: set retry_delay"
            assert task.on_failure_callback, f"{where}: no failure callback"


def test_every_task_and_every_run_is_bounded_by_the_settings(dagbag):
    """A runaway model or a hung API call fails its task, and a stuck run fails as a whole."""
    from include.dataops.settings import load_settings

    monitoring = load_settings().monitoring
    for dag in _dags(dagbag):
        assert dag.dagrun_timeout == timedelta(minutes=monitoring.dagrun_timeout_minutes), dag.dag_id
        assert dag.on_failure_callback, f"{dag.dag_id}: a timed-out run must page"
        for task in dag.tasks:
            assert task.execution_timeout == timedelta(minutes=monitoring.task_timeout_minutes), (
                f"{dag.dag_id}.{task.task_id}: execution_timeout is {task.execution_timeout}"
            )


@pytest.mark.parametrize("path", dag_files(), ids=lambda p: p.name)
def test_each_dag_declares_its_schedule(path):
    """Airflow 3 defaults to no schedule; a DAG must say which it means, even if that is None."""
    calls = [
        node
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", getattr(node.func, "attr", "")) in ("dag", "DAG")
    ]
    assert calls, f"{path.name}: no @dag(...) or DAG(...) call found"
    for call in calls:
        assert any(k.arg == "schedule" for k in call.keywords), f"{path.name}: pass schedule= explicitly"


def test_scheduled_dags_do_not_catch_up(dagbag):
    scheduled = [
        dag
        for dag in _dags(dagbag)
        if dag.timetable.can_be_scheduled and getattr(dag.timetable, "asset_condition", None) is None
    ]
    assert scheduled, "expected at least one time-scheduled DAG"
    for dag in scheduled:
        assert dag.catchup is False, f"{dag.dag_id}: scheduled DAGs must set catchup=False"
        assert dag.max_active_runs == 1, f"{dag.dag_id}: scheduled DAGs run one at a time"
