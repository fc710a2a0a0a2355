"""The docs plugin: its UI entries, and its pages streamed from the moto server's artifacts bucket."""

from __future__ import annotations

import importlib.util
import subprocess
import uuid
import zipfile
from dataclasses import replace
from types import ModuleType

import boto3
import pytest
from fastapi.testclient import TestClient

from include.dataops.settings import REPO_ROOT, Settings

PLUGIN = REPO_ROOT / "plugins" / "dataops_docs.py"


@pytest.fixture(scope="module")
def plugin() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dataops_docs", PLUGIN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def own_bucket(settings: Settings, aws_endpoint: str, monkeypatch: pytest.MonkeyPatch, plugin) -> tuple:
    bucket = f"docs-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client("s3", endpoint_url=aws_endpoint, region_name=settings.aws_region)
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": settings.aws_region})
    own = replace(settings, buckets=replace(settings.buckets, artifacts=bucket))
    monkeypatch.setattr("include.dataops.settings.load_settings", lambda *a, **k: own)
    return s3, bucket


def test_the_ui_lists_three_docs_menu_items_each_served_by_the_app(plugin) -> None:
    views = plugin.DataOpsDocsPlugin.external_views
    assert [v["name"] for v in views] == ["Pipeline health report", "GX Data Docs", "dbt docs"]
    assert {v["category"] for v in views} == {"docs"}
    (app,) = plugin.DataOpsDocsPlugin.fastapi_apps
    assert all(v["href"].startswith(app["url_prefix"] + "/") for v in views)


def test_a_page_is_streamed_from_the_bucket_and_a_missing_one_says_how_to_make_it(plugin, own_bucket) -> None:
    s3, bucket = own_bucket
    s3.put_object(Bucket=bucket, Key="reports/orders_nightly/index.html", Body=b"<h1>health</h1>")
    client = TestClient(plugin.app)
    page = client.get("/health-report/index.html")
    assert (page.status_code, page.text, page.headers["content-type"]) == (
        200,
        "<h1>health</h1>",
        "text/html; charset=utf-8",
    )
    missing = client.get("/gx-data-docs/index.html")
    assert missing.status_code == 404 and "make run" in missing.json()["detail"]
    assert client.get("/nowhere/index.html").status_code == 404
    assert client.get("/health-report/../../secrets").status_code == 404


def test_plugins_zip_carries_the_plugin(tmp_path) -> None:
    subprocess.run(["make", "-s", "plugins-zip"], cwd=REPO_ROOT, check=True, capture_output=True)
    assert "dataops_docs.py" in zipfile.ZipFile(REPO_ROOT / "dist" / "plugins.zip").namelist()


def test_the_dbt_docs_link_reads_where_the_dags_dbt_docs_task_uploads(plugin, settings: Settings) -> None:
    """The DAG's dbt_docs task (Cosmos DbtDocsS3LocalOperator) writes the prefix the link reads."""
    from include.dataops.observability.dbt_docs import DBT_DOCS_PREFIX, dbt_docs_task
    from include.dataops.observability.report.store import REPORT_KEY

    task = dbt_docs_task(settings)
    assert (task.bucket_name, task.folder_dir) == (settings.buckets.artifacts, DBT_DOCS_PREFIX)
    assert set(task.required_files) >= {"index.html", "manifest.json", "catalog.json"}
    assert task.base_cmd == ["docs", "generate"]
    assert plugin.SITES["dbt-docs"][1] == DBT_DOCS_PREFIX
    assert plugin.SITES["health-report"][1] == REPORT_KEY.rsplit("/", 1)[0]
