"""The health report in headless Chromium: every chart drawn with data, no console errors.

The screenshot lands in .local/report/screenshot.png (README: Health report).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from include.dataops.observability.metric_definitions import RUN_METRICS
from include.dataops.observability.report.page import build_page
from tests.browser.chromium import CHARTS_DRAWN, browser_page
from tests.unit.dataops.observability.test_report import DAYS, ORDERS_SECONDS, run
from tooling.local.emulator import LOCAL_DIR

ALL_DRAWN = (
    "() => [...document.querySelectorAll('.plotly-graph-div')].every(g => g.querySelector('.main-svg'))"
)
SCREENSHOT = LOCAL_DIR / "report" / "screenshot.png"

pytestmark = pytest.mark.integration


def test_every_chart_renders_with_data_and_the_console_stays_clean(tmp_path: Path) -> None:
    history = [
        run(day, seconds, gate_passed=day != DAYS[1])
        for day, seconds in zip(DAYS, ORDERS_SECONDS, strict=True)
    ]
    page_file = tmp_path / "index.html"
    page_file.write_text(build_page(history, environment="test"))
    with browser_page() as (page, errors):
        page.goto(page_file.as_uri())
        page.wait_for_function(ALL_DRAWN)
        charts = page.evaluate(CHARTS_DRAWN)
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert len(charts) == 1 + len(RUN_METRICS) + 2
    assert [c for c in charts if not (c["traces"] and c["marks"])] == []
    assert errors == []
