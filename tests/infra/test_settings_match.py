"""The settings files (include/config/<env>.yaml) are the source of truth for names; Terraform follows.

Each test evaluates the Terraform naming expressions with the environment's tfvars and compares
the result with the settings. On a mismatch, change Terraform (or its tfvars), not the settings.
"""

from __future__ import annotations

import pytest

from include.dataops.observability.freshness import slas_from_dbt
from include.dataops.settings import Settings, load_settings
from tooling.local.emulator import local_environment
from tooling.terraform.files import ENVIRONMENTS
from tooling.terraform.modules import Module, root, tfvars


def _module(env: str, name: str) -> Module:
    return root(env).scope.roots["module"][name].module


def _only(module: Module, rtype: str, name: str) -> dict:
    instances = list(module.instances(rtype, name))
    assert len(instances) == 1, f"{rtype}.{name} should create one instance, creates {len(instances)}"
    return instances[0][1]


def _fix(env: str) -> str:
    return f"change infra/terraform so it matches include/config/{env}.yaml (the source of truth)"


@pytest.fixture(params=ENVIRONMENTS)
def env(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def settings(env: str) -> Settings:
    return load_settings(env)


def test_environment_region_and_account(env: str, settings: Settings) -> None:
    values = tfvars(env)
    assert (values["environment"], values["aws_region"], values["aws_account_id"]) == (
        settings.environment,
        settings.aws_region,
        settings.aws_account_id,
    ), _fix(env)


def test_every_bucket_the_settings_name_is_created(env: str, settings: Settings) -> None:
    lake = _module(env, "data_lake")
    created = {key: attrs["bucket"] for key, attrs in lake.instances("aws_s3_bucket", "this")}
    for zone, bucket in vars(settings.buckets).items():
        assert created.get(zone) == bucket, f"bucket {zone}: Terraform {created.get(zone)}: {_fix(env)}"
    for zone, lake_root in vars(settings.lake).items():
        assert lake_root == f"s3://{created[zone]}", f"lake.{zone} is {lake_root}: {_fix(env)}"


def test_glue_job_name_roots_and_script(env: str, settings: Settings) -> None:
    job = _only(_module(env, "glue"), "aws_glue_job", "orders_transform")
    assert job["name"] == settings.glue.job_name, _fix(env)
    arguments = job["default_arguments"]
    assert arguments["--ENV"] == settings.environment
    assert arguments["--RAW_ROOT"] == settings.lake.raw
    assert arguments["--CURATED_ROOT"] == settings.lake.curated
    assert arguments["--QUARANTINE_ROOT"] == settings.lake.quarantine
    assert arguments["--TempDir"] == f"s3://{settings.buckets.temp}/glue-temp/"
    assert job["command"][0]["script_location"] == f"s3://{settings.buckets.scripts}/glue/orders_transform.py"


def test_the_catalog_database_is_the_one_terraform_creates(env: str, settings: Settings) -> None:
    database = _only(_module(env, "glue"), "aws_glue_catalog_database", "curated")
    assert database["name"] == settings.glue.catalog_database, _fix(env)


def test_topics(env: str, settings: Settings) -> None:
    notifications = _module(env, "notifications")
    topics = {key: attrs["name"] for key, attrs in notifications.instances("aws_sns_topic", "this")}
    expected = {"alerts": settings.sns.alerts_topic, "notifications": settings.sns.notifications_topic}
    assert topics == expected, _fix(env)


def test_metrics_namespace_and_freshness_slas_from_dbt(env: str, settings: Settings) -> None:
    """One alarm per table with an SLA in dbt's meta.freshness, at that SLA: written once, in dbt."""
    slas = slas_from_dbt()
    alarms = dict(_module(env, "observability").instances("aws_cloudwatch_metric_alarm", "data_freshness"))
    assert set(alarms) == set(slas) == {"orders_daily", "customers", "orders"}
    for table, alarm in alarms.items():
        assert alarm["namespace"] == settings.cloudwatch.namespace, _fix(env)
        assert alarm["dimensions"] == {"Table": table}
        assert alarm["threshold"] == slas[table].sla_hours


def test_mwaa_tells_airflow_its_environment(env: str, settings: Settings) -> None:
    mwaa = _only(_module(env, "mwaa"), "aws_mwaa_environment", "this")
    options = mwaa["airflow_configuration_options"]
    assert options["dataops.environment"] == settings.environment, _fix(env)
    assert mwaa["name"] == settings.mwaa.environment, _fix(env)
    assert options["secrets.backend"].endswith("secrets_manager.SecretsManagerBackend")
    # As locally (tooling/local/emulator.py): one botocore model loader a task process.
    assert options["aws.session_factory"] == local_environment(port=1)["AIRFLOW__AWS__SESSION_FACTORY"]
    assert mwaa["airflow_version"] == "3.2.1"
    assert mwaa["webserver_access_mode"] == "PRIVATE_ONLY"
