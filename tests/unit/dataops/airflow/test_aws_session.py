"""The session factory the provider is configured with shares one botocore loader a process."""

from __future__ import annotations

from airflow.models import Connection
from airflow.providers.amazon.aws.hooks import base_aws
from airflow.providers.amazon.aws.utils.connection_wrapper import AwsConnectionWrapper

from include.dataops.airflow.aws_session import SharedLoaderSessionFactory
from tooling.local.emulator import local_environment

CONN = Connection(conn_id="aws_test", conn_type="aws", login="key", password="secret")


def _loaders(factory: type[base_aws.BaseSessionFactory]) -> tuple[object, object]:
    one, two = (
        factory(conn=AwsConnectionWrapper(CONN), region_name="eu-west-1").create_session() for _ in range(2)
    )
    return one._session.get_component("data_loader"), two._session.get_component("data_loader")


def test_two_sessions_read_service_models_through_one_loader() -> None:
    first, second = _loaders(SharedLoaderSessionFactory)
    assert first is second
    # The negative control: the provider's own factory gives each session a loader of its own.
    first, second = _loaders(base_aws.BaseSessionFactory)
    assert first is not second


def test_a_shared_session_keeps_the_connections_credentials_and_region() -> None:
    session = SharedLoaderSessionFactory(
        conn=AwsConnectionWrapper(CONN), region_name="eu-west-1"
    ).create_session()
    credentials = session.get_credentials()
    assert (credentials.access_key, credentials.secret_key) == ("key", "secret")
    assert session.region_name == "eu-west-1"


def test_the_local_environment_configures_the_factory_the_provider_resolves(monkeypatch) -> None:
    name = local_environment(port=1)["AIRFLOW__AWS__SESSION_FACTORY"]
    monkeypatch.setenv("AIRFLOW__AWS__SESSION_FACTORY", name)
    assert base_aws.resolve_session_factory() is SharedLoaderSessionFactory
