"""`make run` over several days: the summary names each day's outcome and any failed day fails it.

The DAG runs, the data generator and the report are replaced in-process: this is the exit code
and summary of main() alone (the DAG itself runs end to end in tests/integration/).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tooling.local import run, topic_capture


class NoTopic:
    """TopicCapture without the emulator: no message arrives."""

    def __init__(self, *_: Any) -> None: ...

    def __enter__(self) -> NoTopic:
        return self

    def __exit__(self, *_: Any) -> None: ...

    def wait_for(self, *_: Any, **__: Any) -> list[Any]:
        return []


@pytest.fixture
def days_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def go(outcomes: dict[str, bool], *argv: str) -> tuple[int, dict[str, Any], list[date]]:
        asked: list[date] = []

        def generate(_raw: str, last: date, days: int, *_: Any) -> list[SimpleNamespace]:
            asked.append(last)
            return [SimpleNamespace(dt=dt) for dt in list(outcomes)[-days:]]

        monkeypatch.setattr(run.sample_data, "generate", generate)
        monkeypatch.setattr(run, "run_dag", lambda dt, _log: outcomes[dt])
        monkeypatch.setattr(run, "collect", lambda *_: {"reconciled": True, "docs": {}})
        monkeypatch.setattr(run, "print_report", lambda *_: None)
        monkeypatch.setattr(run, "_metrics_sent", lambda _settings: 0)
        monkeypatch.setattr(run.subprocess, "run", lambda *_, **__: None)
        monkeypatch.setattr(run, "LAST_RUN", tmp_path / "last-run.json")
        monkeypatch.setattr(topic_capture, "TopicCapture", NoTopic)
        code = run.main(["--rows", "10", "--days", str(len(outcomes)), *argv])
        return code, json.loads((tmp_path / "last-run.json").read_text()), asked

    return go


def test_a_failed_day_among_several_fails_the_run_and_the_summary_names_it(days_run, capsys):
    code, report, asked = days_run(
        {"2026-11-21": True, "2026-11-22": False, "2026-11-23": True}, "--run-date", "2026-11-23"
    )
    assert code == 1
    assert asked == [date(2026, 11, 23)]
    assert report["days"] == {
        "2026-11-21": "published",
        "2026-11-22": "FAILED, not published",
        "2026-11-23": "published",
    }
    assert "days: 2026-11-21 published, 2026-11-22 FAILED, not published, 2026-11-23 published" in (
        capsys.readouterr().out
    )


def test_every_day_published_passes(days_run):
    code, report, _ = days_run({"2026-11-22": True, "2026-11-23": True})
    assert code == 0 and set(report["days"].values()) == {"published"}


def test_a_run_date_that_is_not_a_day_is_refused_in_one_line(capsys):
    with pytest.raises(SystemExit):
        run.main(["--run-date", "23/11/2026"])
    assert "'23/11/2026' is not a day: use YYYY-MM-DD, e.g. RUN_DATE=2026-11-23" in capsys.readouterr().err
