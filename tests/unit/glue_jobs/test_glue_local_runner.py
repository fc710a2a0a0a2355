"""The local Glue runner: the script runs unedited in its own interpreter, and its errors come back."""

from __future__ import annotations

from pathlib import Path

import pytest

from glue_jobs import orders_transform as job
from include.dataops.pipeline.reconcile import reconcile
from tests.unit.glue_jobs.raw_lake import DAY
from tooling.local.glue_job import GlueLocalRunError, _failure_message, run_glue_script_locally
from tooling.local.sample_data import generate

SCRIPT = Path(job.__file__)


def test_runner_failure_message_prefers_the_scripts_error_line() -> None:
    stderr = "Traceback...\nSystemExit\nerror: raw partition /x/orders/dt=2026-11-23 does not exist\n"
    assert _failure_message(SCRIPT, 1, stderr) == (
        "Glue script orders_transform.py failed: raw partition /x/orders/dt=2026-11-23 does not exist"
    )
    tail = _failure_message(SCRIPT, 137, "line 1\nline 2\n")
    assert tail.endswith("exit code 137; the end of its stderr:\nline 1\nline 2")


@pytest.mark.e2e
def test_the_script_runs_unedited_through_the_local_runner(lake: dict[str, str]) -> None:
    (expected,) = generate(lake["RAW_ROOT"], DAY, rows_per_day=500, bad_share=0.1, seed=9)

    manifest = run_glue_script_locally(SCRIPT, {f"--{k}": v for k, v in lake.items()})

    assert manifest["datasets"]["orders"] == expected.orders.as_manifest()
    assert reconcile(manifest, max_quarantine_rate=0.2).passed
    assert any((Path(lake["CURATED_ROOT"]) / "orders" / "dt=2026-11-23").glob("*.parquet"))


@pytest.mark.e2e
def test_the_runner_reports_the_scripts_own_error(lake: dict[str, str]) -> None:
    with pytest.raises(GlueLocalRunError, match=r"failed: raw partition .*/customers/dt=2026-11-23 does not"):
        run_glue_script_locally(SCRIPT, lake)
