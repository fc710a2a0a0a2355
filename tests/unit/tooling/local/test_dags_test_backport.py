"""`airflow dags test` builds its in-process execution API once per run (the backport)."""

from __future__ import annotations

import sys

import pytest

from tooling.local import dags_test_backport as dag_test


@pytest.fixture
def supervisor(monkeypatch: pytest.MonkeyPatch):
    from airflow.sdk.execution_time import supervisor

    monkeypatch.setattr(supervisor, "in_process_api_server", supervisor.in_process_api_server)
    return supervisor


def test_the_execution_api_is_built_once_and_reused(supervisor, monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[object] = []

    def build() -> object:
        built.append(object())
        return built[-1]

    monkeypatch.setattr(supervisor, "in_process_api_server", build)
    dag_test.reuse_execution_api()
    dag_test.reuse_execution_api()

    first, second = supervisor.in_process_api_server(), supervisor.in_process_api_server()

    assert first is second and len(built) == 1
    assert dag_test.fixed_upstream()


def test_the_pinned_airflow_still_needs_the_backport(supervisor) -> None:
    """When this fails, Airflow caches the API itself: delete tooling/local/dags_test_backport.py."""
    assert not dag_test.fixed_upstream()


def test_command_runs_this_module_with_the_same_interpreter() -> None:
    assert dag_test.command("orders_nightly", "-c", "{}") == [
        sys.executable,
        "-m",
        "tooling.local.dags_test_backport",
        "orders_nightly",
        "-c",
        "{}",
    ]
