"""dbt on Redshift can reach its data: the Spectrum external schema and the connection secret.

Terraform creates (modules/redshift/access.tf) the external schema dbt's `curated` sources name,
over the catalog database the pipeline registers partitions in, and the Airflow connection that
Cosmos's Redshift profile reads through MWAA's Secrets Manager backend. Values Redshift assigns at
apply (endpoint, admin secret, role ARN) are given stand-ins; every name is evaluated from the HCL.
The schema's SQL is parsed as Redshift by the dbt stage's own parser (tooling/dbt/redshift_check.py).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from include.dataops.airflow.cosmos import DBT_MANIFEST
from include.dataops.settings import REPO_ROOT, load_settings
from tooling.terraform.files import ENVIRONMENTS
from tooling.terraform.modules import Module, root

HOST, ROLE = "warehouse.example", "arn:aws:iam::123456789012:role/spectrum"
ADMIN_SECRET = "arn:aws:secretsmanager:ca-central-1:123456789012:secret:admin"  # pragma: allowlist secret
PASSWORD = "generated-by-redshift"  # pragma: allowlist secret
SPECTRUM_SQL = re.compile(
    r"CREATE EXTERNAL SCHEMA IF NOT EXISTS (\w+) FROM DATA CATALOG DATABASE '([^']+)' "
    r"IAM_ROLE '([^']+)' REGION '([^']+)'"
)


def redshift(env: str) -> tuple[Module, Module]:
    """The redshift and mwaa modules of the environment, with apply-time values stood in."""
    modules = root(env).scope.roots["module"]
    module = modules["redshift"].module
    admin = {"secret_string": json.dumps({"username": "dataops_admin", "password": PASSWORD})}
    module.scope.roots["data"] = {
        "aws_caller_identity": {"current": {"account_id": load_settings(env).aws_account_id}},
        "aws_secretsmanager_secret_version": {"admin": admin},
    }
    module.scope.roots["aws_iam_role"] = {"spectrum": {"arn": ROLE}}
    computed = {
        "aws_redshiftserverless_workgroup": {"endpoint": [{"address": HOST}]},
        "aws_redshiftserverless_namespace": {"admin_password_secret_arn": ADMIN_SECRET},
        "aws_redshift_cluster": {"dns_name": HOST, "master_password_secret_arn": ADMIN_SECRET},
    }
    for rtype, attributes in computed.items():
        for instance in module.scope.roots[rtype]["this"].values():
            instance.update(attributes)
    return module, modules["mwaa"].module


def only(module: Module, rtype: str, name: str) -> dict[str, Any]:
    [(_, attributes)] = list(module.instances(rtype, name))
    return attributes


def curated_source_schemas() -> set[str]:
    manifest = json.loads(DBT_MANIFEST.read_text())
    return {s["schema"] for s in manifest["sources"].values() if s["source_name"] == "curated"}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_spectrum_schema_is_dbts_curated_source_over_the_registered_catalog(env: str) -> None:
    settings = load_settings(env)
    module, _ = redshift(env)
    statement = only(module, "aws_redshiftdata_statement", "spectrum_schema")

    match = SPECTRUM_SQL.fullmatch(statement["sql"])
    assert match, statement["sql"]
    schema, database, role, region = match.groups()
    assert {schema} == curated_source_schemas()
    assert (database, role, region) == (settings.glue.catalog_database, ROLE, settings.aws_region)
    assert statement["secret_arn"] == ADMIN_SECRET and statement["database"] == "dataops"
    serverless = only(module, "aws_redshiftserverless_workgroup", "this") if env != "prod" else None
    target = statement["workgroup_name"] if serverless else statement["cluster_identifier"]
    assert target == f"dataops-{env}"


@pytest.mark.integration
def test_the_spectrum_sql_parses_as_redshift(tmp_path: Path) -> None:
    module, _ = redshift("staging")
    sql = tmp_path / "spectrum_schema.sql"
    sql.write_text(only(module, "aws_redshiftdata_statement", "spectrum_schema")["sql"] + ";\n")
    dbt_python = Path(load_settings("local").dbt.executable).with_name("python")
    done = subprocess.run(
        [str(dbt_python), "tooling/dbt/redshift_check.py", "--parse-only", str(sql)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_warehouse_connection_is_a_secret_the_mwaa_backend_and_cosmos_read(env: str) -> None:
    settings = load_settings(env)
    module, mwaa = redshift(env)
    secret = only(module, "aws_secretsmanager_secret", "connection")
    connection = json.loads(only(module, "aws_secretsmanager_secret_version", "connection")["secret_string"])

    assert secret["name"] == f"{mwaa.var['connections_prefix']}/{settings.warehouse.conn_id}"
    assert connection == {
        "conn_type": "redshift",
        "host": HOST,
        "port": 5439,
        "schema": "dataops",
        "login": "dataops_admin",
        "password": PASSWORD,
        "extra": {"sslmode": "verify-full", "region": settings.aws_region},
    }
