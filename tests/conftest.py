"""Fixtures shared by every test folder.

Tests run inside `make test`, which sources .local/env.sh: the moto server's endpoint, the
connections and the settings environment are already in the environment.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from include.dataops.settings import Settings, load_settings


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
