"""The Airflow 3 UI of a real `airflow standalone` lists the docs plugin's pages and opens them.

The plugin (plugins/dataops_docs.py) streams the health report from the artifacts bucket; when
the local bucket has no report yet, the test writes one from a recorded history first (it never
replaces a report a real run wrote). Screenshot: .local/report/airflow-ui.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from include.dataops.observability.report.page import build_page
from include.dataops.observability.report.store import REPORT_KEY
from include.dataops.settings import Settings
from tests.browser.chromium import browser_page
from tests.integration.airflow_api import LocalAirflow
from tests.unit.dataops.observability.test_report import DAYS, ORDERS_SECONDS, run
from tooling.local.emulator import LOCAL_DIR, UI_PASSWORD, UI_USER

SCREENSHOT = LOCAL_DIR / "report" / "airflow-ui.png"
MENU_ITEMS = ("Pipeline health report", "GX Data Docs", "dbt docs")

pytestmark = pytest.mark.e2e


@pytest.fixture
def report_in_bucket(settings: Settings) -> None:
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    s3 = S3Hook(aws_conn_id=settings.aws_conn_id)
    if not s3.check_for_key(REPORT_KEY, settings.buckets.artifacts):
        history = [run(day, seconds) for day, seconds in zip(DAYS, ORDERS_SECONDS, strict=True)]
        s3.load_string(build_page(history, environment="local"), REPORT_KEY, settings.buckets.artifacts)


def test_the_docs_menu_lists_the_pages_and_opens_the_health_report(tmp_path: Path, report_in_bucket) -> None:
    with LocalAirflow(tmp_path / "airflow") as client, browser_page() as (page, errors):
        page.goto(f"{client.base_url}/")
        page.fill("input[name=username]", UI_USER)
        page.fill("input[name=password]", UI_PASSWORD)
        page.keyboard.press("Enter")
        page.get_by_role("button", name="Docs").click()
        for name in MENU_ITEMS:
            assert page.get_by_role("menuitem", name=name).is_visible(), name
        page.get_by_role("menuitem", name=MENU_ITEMS[0]).click()
        page.wait_for_url("**/plugin/health-report")
        frame = page.frame_locator("iframe")
        frame.locator("h1").filter(has_text="Orders pipeline health").wait_for()
        frame.locator(".plotly-graph-div .main-svg").first.wait_for()
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT))
    assert [e for e in errors if "dataops" in e] == []
