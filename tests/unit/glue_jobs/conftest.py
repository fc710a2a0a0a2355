"""The job arguments of one run over a fresh lake under tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from include.dataops.pipeline.landing import contract_argument
from tests.unit.glue_jobs.raw_lake import DAY


@pytest.fixture
def lake(tmp_path: Path) -> dict[str, str]:
    return {
        "JOB_NAME": "orders-transform-test",
        "ENV": "local",
        "RUN_DATE": DAY.isoformat(),
        "RAW_ROOT": str(tmp_path / "raw"),
        "CURATED_ROOT": str(tmp_path / "curated"),
        "QUARANTINE_ROOT": str(tmp_path / "quarantine"),
        "LANDING_CONTRACT": contract_argument("warn"),
    }
