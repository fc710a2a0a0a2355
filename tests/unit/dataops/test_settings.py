from __future__ import annotations

import pytest
import yaml

from include.dataops import settings as settings_module
from include.dataops.settings import (
    ENV_VAR,
    ENVIRONMENTS,
    SettingsError,
    _build,
    current_environment,
    load_settings,
)


@pytest.mark.parametrize("name", ENVIRONMENTS)
def test_every_environment_loads(name):
    loaded = load_settings(name)
    assert loaded.environment == name
    assert loaded.glue.job_name == f"orders-transform-{name}"
    assert loaded.alerts_topic_arn.endswith(f":dataops-{name}-alerts")


def test_cloud_environments_run_glue_on_aws_and_local_on_spark():
    assert load_settings("local").glue.runner == "local_spark"
    assert {load_settings(n).glue.runner for n in ("dev", "staging", "prod")} == {"aws_glue"}


def test_local_lake_paths_are_inside_this_checkout():
    raw = load_settings("local").lake.raw
    assert raw.startswith(str(settings_module.REPO_ROOT)) and "{repo}" not in raw


def test_environment_defaults_to_local(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert current_environment() == "local"


def test_unknown_environment_is_a_one_line_error_naming_the_choices(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "production")
    with pytest.raises(SettingsError) as err:
        current_environment()
    message = str(err.value)
    assert "'production'" in message and "local, dev, staging, prod" in message and "\n" not in message


def test_missing_settings_key_names_the_key_and_the_file(tmp_path):
    raw = yaml.safe_load((settings_module.CONFIG_DIR / "local.yaml").read_text())
    del raw["glue"]["job_name"]
    with pytest.raises(SettingsError, match=r"Missing settings key 'glue.job_name' in .*broken.yaml"):
        _build(raw, tmp_path / "broken.yaml")


def test_unknown_glue_runner_is_rejected(tmp_path):
    raw = yaml.safe_load((settings_module.CONFIG_DIR / "local.yaml").read_text())
    raw["glue"]["runner"] = "lambda"
    with pytest.raises(SettingsError, match=r"glue\.runner is 'lambda'"):
        _build(raw, tmp_path / "x.yaml")


def test_all_environments_have_the_same_keys():
    def keys(tree, prefix=""):
        return {
            f"{prefix}{k}" if not isinstance(v, dict) else f"{prefix}{k}.{sub}"
            for k, v in tree.items()
            for sub in (keys(v) if isinstance(v, dict) else [None])
        }

    shapes = {
        n: keys(yaml.safe_load((settings_module.CONFIG_DIR / f"{n}.yaml").read_text())) for n in ENVIRONMENTS
    }
    assert all(shape == shapes["local"] for shape in shapes.values()), shapes


def test_cloud_environments_retry_at_least_twice_with_room_to_recover():
    for name in ("dev", "staging", "prod"):
        retries = load_settings(name).retries
        assert retries.count >= 2 and retries.delay_seconds >= 60, name


def test_a_sandbox_scope_gives_the_local_artifacts_bucket_its_own_name(monkeypatch):
    """tests/integration/sandbox.py sets the scope: its runs keep their history to themselves."""
    raw = yaml.safe_load((settings_module.CONFIG_DIR / "local.yaml").read_text())
    path = settings_module.CONFIG_DIR / "local.yaml"
    assert _build(raw, path).buckets.artifacts == "dataops-local-artifacts"
    monkeypatch.setenv(settings_module.SCOPE_VAR, "abc123")
    scoped = _build(raw, path)
    assert scoped.buckets.artifacts == "dataops-local-artifacts-abc123"
    assert scoped.buckets.raw == "dataops-local-raw"  # only what names {scope}
