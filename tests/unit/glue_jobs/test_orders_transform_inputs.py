"""The Glue job's inputs: unreadable or empty files, a missing partition, bad arguments, as on Glue."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest

from glue_jobs import orders_transform as job
from tests.unit.glue_jobs.raw_lake import DAY, customer, order, quarantined, write
from tooling.local.awsglue_shim.awsglue.utils import getResolvedOptions
from tooling.local.sample_data import generate


@pytest.mark.integration
def test_an_unreadable_file_is_quarantined_whole(spark: Any, lake: dict[str, str]) -> None:
    write(lake, "customers", "c.jsonl", customer("C1"))
    write(lake, "orders", "good.jsonl.gz", gzip.compress(order("1", "2026-11-23T11:00:00Z")))
    write(lake, "orders", "broken.jsonl.gz", b"this is not gzip")
    write(lake, "orders", "_SUCCESS", b"")

    orders = job.transform(spark, lake)["datasets"]["orders"]

    assert orders["files"] == ["broken.jsonl.gz", "good.jsonl.gz"]
    assert orders["unreadable_files"] == ["broken.jsonl.gz"]
    assert (orders["read"], orders["written"], orders["quarantined"]) == (2, 1, {"unreadable_file": 1})
    (record,) = quarantined(lake)
    assert record["source_file"].endswith("broken.jsonl.gz")
    assert record["detail"] == "named .gz but its content is not gzip: land it plain, without .gz"


@pytest.mark.integration
def test_a_partition_of_empty_files_succeeds_with_zeros(spark: Any, lake: dict[str, str]) -> None:
    generate(lake["RAW_ROOT"], DAY, rows_per_day=40, bad_share=0.0, seed=1)
    job.transform(spark, lake)
    for dataset in ("orders", "customers"):
        for old in (Path(lake["RAW_ROOT"]) / dataset / "dt=2026-11-23").iterdir():
            old.unlink()
    write(lake, "orders", "a.jsonl", b"")
    write(lake, "customers", "b.jsonl", b"")

    manifest = job.transform(spark, lake)

    orders = manifest["datasets"]["orders"]
    assert (orders["read"], orders["written"], orders["empty_files"]) == (0, 0, ["a.jsonl"])
    assert manifest["datasets"]["customers"]["empty_files"] == ["b.jsonl"]
    # The earlier run's curated rows are gone: a rerun leaves only what this run wrote.
    assert not (Path(lake["CURATED_ROOT"]) / "orders" / "dt=2026-11-23").exists()


@pytest.mark.integration
def test_a_missing_partition_fails_naming_it(spark: Any, lake: dict[str, str]) -> None:
    write(lake, "customers", "c.jsonl", customer("C1"))
    with pytest.raises(job.JobInputError, match=r"raw partition .*/raw/orders/dt=2026-11-23 does not exist"):
        job.transform(spark, lake)
    assert not (Path(lake["CURATED_ROOT"]) / "_manifests").exists()


def test_bad_run_date_and_missing_arguments_are_one_line_errors(lake: dict[str, str]) -> None:
    with pytest.raises(job.JobInputError, match=r"--RUN_DATE must be YYYY-MM-DD, got '23-11-2026'"):
        job.transform(None, {**lake, "RUN_DATE": "23-11-2026"})
    with pytest.raises(job.JobInputError, match=r"missing job arguments --RAW_ROOT"):
        job.transform(None, {**lake, "RAW_ROOT": ""})


def test_shim_resolves_options_as_glue_does(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["script.py", "--JOB_NAME", "j", "--RUN_DATE=2026-11-23", "--job-bookmark-option", "x"]
    assert getResolvedOptions(argv, ["JOB_NAME", "RUN_DATE"]) == {"JOB_NAME": "j", "RUN_DATE": "2026-11-23"}
    with pytest.raises(SystemExit) as exit_info:
        getResolvedOptions(argv, ["JOB_NAME", "ENV"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == "error: the following arguments are required: --ENV\n"
