"""Headless Chromium from the OS packages, driven by playwright (no browser download).

Chromium is a prerequisite like Java (README); .ci/run installs it when it is missing.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@contextmanager
def browser_page() -> Iterator[tuple[Any, list[str]]]:
    """A fresh page and the list its console errors and uncaught exceptions are appended to."""
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM):
        message = f"{CHROMIUM} is missing: install it with `sudo apt-get install chromium` (or set CHROMIUM)."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            yield page, errors
        finally:
            browser.close()


# Every plotly chart on the page: its traces hold data and its SVG drew marks for them.
CHARTS_DRAWN = """() => [...document.querySelectorAll('.plotly-graph-div')].map(gd => ({
  id: gd.id,
  traces: (gd.data || []).filter(
    t => (t.x && t.x.length) || (t.z && t.z.length) || t.value !== undefined).length,
  marks: gd.querySelectorAll(
    '.scatterlayer .point, .scatterlayer .js-line, .barlayer .point, .hm image, .indicator').length,
}))"""
