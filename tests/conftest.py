"""Fixtures shared by every test folder.

Tests run inside `make test`, which sources .local/env.sh: the moto server's endpoint, the
connections and the settings environment are already in the environment.
"""

from __future__ import annotations

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
    from tooling.local.spark import local_spark_session

    session = local_spark_session()
    yield session
    session.stop()


def _cost_rank(items: list[pytest.Item]) -> int:
    """0 for a group holding a whole-pipeline run, 1 for one starting an engine, 2 otherwise."""
    marks = {mark.name for item in items for mark in item.iter_markers()}
    return 0 if "e2e" in marks else 1 if "integration" in marks else 2


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Group tests for pytest-xdist (`--dist loadgroup`) and start the costly groups first.

    A test's group is its `xdist_group` mark, or else its module: a module's tests (and its
    module-scoped fixtures, such as one DAG run) stay on one worker, and modules that share one
    expensive run name the same group. The groups holding end-to-end runs are queued first (the
    Makefile passes --no-loadscope-reorder, which keeps this order), so the longest work does not
    start last while the other worker idles.
    """
    groups: dict[str, list[pytest.Item]] = {}
    for item in items:
        named = [mark.args[0] for mark in item.iter_markers("xdist_group") if mark.args]
        if not named:
            named = [item.nodeid.split("::")[0]]
            item.add_marker(pytest.mark.xdist_group(named[0]))
        groups.setdefault(named[0], []).append(item)
    ordered = sorted(groups.values(), key=_cost_rank)
    items[:] = [item for group in ordered for item in group]
