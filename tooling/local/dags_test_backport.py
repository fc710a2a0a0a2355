"""`airflow dags test`, with the in-process execution API built once per run instead of per task.

Airflow 3.2.1's `dag.test()` builds a new in-process execution API for every task: a FastAPI app
with Cadwyn versioning and an a2wsgi event-loop thread. On this 2-core machine that costs 4-9 s a
task, over a minute of every orders_nightly run. Airflow fixed it upstream by caching that app
with `functools.lru_cache(maxsize=1)` (apache/airflow#65235, merged April 2026); this applies the
same one-line cache, builds the API before the run's first task (build_execution_api), and then
runs the unchanged Airflow CLI. Delete this module, and call
`airflow dags test` again, once the pinned Airflow includes that fix (`fixed_upstream()` says so).

    python -m tooling.local.dags_test_backport <dag_id> [airflow dags test options]
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Sequence


def fixed_upstream() -> bool:
    """True when Airflow itself already caches the in-process execution API."""
    from airflow.sdk.execution_time import supervisor

    return hasattr(supervisor.in_process_api_server, "cache_clear")


def reuse_execution_api() -> None:
    """Cache `in_process_api_server`, as apache/airflow#65235 does; idempotent."""
    from airflow.sdk.execution_time import supervisor

    if not fixed_upstream():
        supervisor.in_process_api_server = functools.lru_cache(maxsize=1)(supervisor.in_process_api_server)


def warm() -> None:
    """What every run imports and builds before its first task, done once: the preload of the
    end-to-end sandbox's fork server (tests/integration/sandbox.py), whose forked children then
    run `main` with all of it in memory. Imports only: settings are read by each run itself.
    """
    reuse_execution_api()
    import cosmos  # noqa: F401
    import great_expectations  # noqa: F401
    import great_expectations_provider.operators.validate_checkpoint  # noqa: F401
    import pandas  # noqa: F401
    from airflow.cli.commands import dag_command  # noqa: F401
    from airflow.providers.amazon.aws.hooks import s3, sns  # noqa: F401
    from airflow.sdk.execution_time import task_runner  # noqa: F401

    build_execution_api()


@functools.cache
def build_execution_api() -> None:
    """Build the in-process execution API and its versioned routes now, once per process (a fork
    of a warm process inherits it). Otherwise Cadwyn builds the routes on the first request, about
    5 s inside the run's first task; on MWAA the API server outlives every run, so no task pays it.
    """
    reuse_execution_api()
    from airflow.sdk.execution_time import supervisor

    supervisor.in_process_api_server().app._cadwyn_initialize()


def command(dag_id: str, *options: str) -> list[str]:
    """The argv that runs `airflow dags test` through this module, for subprocess callers."""
    return [sys.executable, "-m", "tooling.local.dags_test_backport", dag_id, *options]


def main(argv: Sequence[str] | None = None) -> None:
    build_execution_api()
    from airflow.__main__ import main as airflow_main

    sys.argv = ["airflow", "dags", "test", *(sys.argv[1:] if argv is None else argv)]
    airflow_main()


if __name__ == "__main__":
    main()
