"""The Glue benchmark's event-log reading: steps by the script's job labels, overlaps counted once."""

from __future__ import annotations

import json
from pathlib import Path

from bench.glue_profile import event_log_profile


def _job(job_id: int, label: str | None, start: int, end: int) -> list[dict]:
    properties = {"spark.job.description": label} if label else {}
    return [
        {
            "Event": "SparkListenerJobStart",
            "Job ID": job_id,
            "Submission Time": start,
            "Properties": properties,
        },
        {"Event": "SparkListenerJobEnd", "Job ID": job_id, "Completion Time": end},
    ]


def test_steps_sum_their_jobs_once_even_when_jobs_overlap(tmp_path: Path) -> None:
    events = [
        {"Event": "SparkListenerApplicationStart", "Timestamp": 0},
        *_job(0, "orders: read, parse, validate, dedup, count", 2_000, 5_000),
        *_job(
            1, "orders: read, parse, validate, dedup, count", 4_000, 6_000
        ),  # an adaptive stage, overlapping
        *_job(2, "orders: write curated", 7_000, 8_500),
        *_job(3, None, 9_000, 9_500),
        {"Event": "SparkListenerApplicationEnd", "Timestamp": 10_000},
    ]
    (tmp_path / "local-1").write_text("\n".join(json.dumps(e) for e in events) + "\n")

    profile = event_log_profile(tmp_path)

    assert profile["steps_s"] == {
        "orders: read, parse, validate, dedup, count": 4.0,
        "orders: write curated": 1.5,
        "unlabelled": 0.5,
    }
    assert (profile["spark_jobs"], profile["app_s"], profile["before_first_job_s"]) == (4, 10.0, 2.0)
    assert profile["between_jobs_s"] == 10.0 - 2.0 - 6.0
