"""The dbt profile Cosmos renders from the Redshift connection, for each cloud target.

dev builds in the developer's own schema (dbt_<user>), staging and prod in the settings' schema.
The rendered profiles.yml, with the environment variables Cosmos sets beside it, is then loaded
by dbt itself (dbt-redshift's credentials, in .venv-dbt): a profile dbt would refuse fails here.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from include.dataops.airflow import cosmos as dbt_cosmos
from include.dataops.settings import REPO_ROOT, load_settings

CONNECTION = {
    "conn_type": "redshift",
    "host": "dataops-dev.123456789012.ca-central-1.redshift-serverless.amazonaws.com",
    "login": "ana",
    "password": "not-a-secret",  # pragma: allowlist secret
    "schema": "dataops",
    "port": 5439,
}
EXPECTED_SCHEMA = {"dev": "dbt_ana", "staging": "analytics", "prod": "analytics"}
DBT_PYTHON = Path(load_settings("local").dbt.executable).with_name("python")
# Loads each profile as `dbt run` would (env_var() rendered, the adapter's credentials validated).
LOAD_PROFILES = """
import json, os, sys
import yaml
from dbt.config.profile import Profile
from dbt.config.renderer import ProfileRenderer
from dbt.flags import set_from_args
from argparse import Namespace

set_from_args(Namespace(), None)
loaded = {}
for target, (contents, env) in json.load(sys.stdin).items():
    os.environ.update(env)
    raw = yaml.safe_load(contents)
    profile = Profile.from_raw_profiles(raw, "orders_analytics", ProfileRenderer({}), target)
    loaded[target] = {"type": profile.credentials.type, "schema": profile.credentials.schema,
                      "user": profile.credentials.user, "password_set": bool(profile.credentials.password)}
print(json.dumps(loaded))
"""


@pytest.fixture(scope="module")
def rendered() -> dict[str, tuple[str, dict[str, str]]]:
    """Each target's profiles.yml and environment, as Cosmos writes them for a dbt task."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AIRFLOW_CONN_REDSHIFT_DEFAULT", json.dumps(CONNECTION))
        profiles = {}
        for env in EXPECTED_SCHEMA:
            config = dbt_cosmos.profile_config(load_settings(env))
            mapping = config.profile_mapping
            contents = mapping.get_profile_file_contents(dbt_cosmos.PROFILE_NAME, config.target_name)
            profiles[config.target_name] = (contents, mapping.env_vars)
    return profiles


def test_dev_builds_in_the_developers_schema_and_staging_and_prod_in_analytics(rendered):
    schemas = {
        target: yaml.safe_load(contents)[dbt_cosmos.PROFILE_NAME]["outputs"][target]["schema"]
        for target, (contents, _) in rendered.items()
    }
    assert schemas == EXPECTED_SCHEMA


@pytest.mark.integration
def test_dbt_redshift_accepts_every_rendered_profile_and_the_password_stays_out_of_it(rendered):
    assert all(CONNECTION["password"] not in contents for contents, _ in rendered.values())
    done = subprocess.run(
        [str(DBT_PYTHON), "-c", LOAD_PROFILES],
        input=json.dumps(rendered),
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == {
        target: {"type": "redshift", "schema": schema, "user": "ana", "password_set": True}
        for target, schema in EXPECTED_SCHEMA.items()
    }
