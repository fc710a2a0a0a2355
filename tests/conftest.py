"""Fixtures shared by every test folder.

Tests run inside `make test`, which sources .local/env.sh: the moto server's endpoint, the
connections and the settings environment are already in the environment.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import pytest
from hypothesis import settings as hypothesis_settings

from include.dataops.settings import Settings, load_settings

# No test depends on timing: Hypothesis's default 200 ms deadline per example fails property tests
# when the 2-core machine is busy with the end-to-end runs, which says nothing about the code.
hypothesis_settings.register_profile("repository", deadline=None)
hypothesis_settings.load_profile("repository")

# The happy day's runs, shared by the modules of its xdist group (tests/integration/happy_day.py).
pytest_plugins = ["tests.integration.happy_day"]


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings("local")


@pytest.fixture(scope="session")
def aws_endpoint() -> str:
    """The local AWS emulator over HTTP; `make bootstrap` starts it and exports its URL."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        pytest.fail("AWS_ENDPOINT_URL is unset: run tests through `make test` (it starts the emulator).")
    return endpoint


@pytest.fixture(scope="session")
def spark() -> Iterator[object]:
    """One local SparkSession for the whole test run: a cold start costs seconds, not per test."""
    from py4j.protocol import Py4JNetworkError

    from tooling.local.spark import local_spark_session

    session = local_spark_session()
    yield session
    # The JVM can exit while it answers `stop` at the end of a worker (seen once on a clean clone,
    # after every test had passed): the session is gone either way.
    with contextlib.suppress(Py4JNetworkError):
        session.stop()


# Modules that read one shared expensive run (session fixtures), so they must share a worker.
SHARED_RUNS = {
    # tests/integration/happy_day.py: one `airflow standalone` smoke run and one rerun.
    "happy_day": (
        "tests/integration/test_orders_pipeline.py",
        "tests/integration/test_params_rejected.py",
        "tests/integration/test_worker_loss.py",
        "tests/lineage/test_run_lineage.py",
    ),
}
_GROUP_OF_MODULE = {module: group for group, modules in SHARED_RUNS.items() for module in modules}


def group_of(nodeid: str) -> str:
    """A test's pytest-xdist work unit: its module, or the shared run its module reads."""
    module = nodeid.split("::", 1)[0]
    return _GROUP_OF_MODULE.get(module, module)


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """Send each group (group_of) to one worker whole, in the order collected.

    It is xdist's LoadScopeScheduling with the scope widened from a module to its group. (xdist's
    own `loadgroup` cannot do it with pytest 9: it renames items through `_nodeid`, which pytest 9
    no longer reads.) A module's tests, and so its module-scoped fixtures such as one DAG run, stay
    on one worker, and so do the modules of a shared run.
    """
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return group_of(nodeid)

    return GroupScheduling(config, log)


def _cost_rank(items: list[pytest.Item]) -> tuple[int, int]:
    """End-to-end groups first (the most tests first), then those starting an engine, then the rest."""
    marks = {mark.name for item in items for mark in item.iter_markers()}
    rank = 0 if "e2e" in marks else 1 if "integration" in marks else 2
    return rank, -len(items)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Queue the costliest groups first (the Makefile passes --no-loadscope-reorder, which keeps this
    order), so the longest work does not start last while the other worker idles."""
    groups: dict[str, list[pytest.Item]] = {}
    for item in items:
        groups.setdefault(group_of(item.nodeid), []).append(item)
    ordered = sorted(groups.values(), key=_cost_rank)
    items[:] = [item for group in ordered for item in group]
