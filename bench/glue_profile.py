"""The Glue benchmark's instruments: the process tree's CPU and peak memory, and the Spark event log.

A local Glue run is a Python process whose JVM is its child; neither is waited for by us in a way
`getrusage` would see (the JVM is never reaped by its parent), so both are sampled from /proc.
"""

from __future__ import annotations

import json
import os
import threading
from collections import defaultdict
from pathlib import Path
from typing import Any

_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


class TreeSampler:
    """Every `interval` s: CPU seconds and resident memory of this process's descendants, summed.

    `peak_rss_mb` is the largest sum seen; `cpu_s` the CPU of each process at its last sample.
    """

    def __init__(self, interval: float = 0.2, include_self: bool = False) -> None:
        self.interval, self.peak_rss_mb, self.include_self = interval, 0.0, include_self
        self._cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def cpu_s(self) -> float:
        return sum(self._cpu.values())

    def __enter__(self) -> TreeSampler:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def _sample(self) -> None:
        rss = 0
        for pid in _descendants(os.getpid()) + ([os.getpid()] if self.include_self else []):
            stat = _stat(pid)
            if stat:
                self._cpu[pid] = (int(stat[11]) + int(stat[12])) / _TICKS
                rss += int(stat[21]) * _PAGE
        self.peak_rss_mb = max(self.peak_rss_mb, rss / 2**20)


def _stat(pid: int) -> list[str] | None:
    """/proc/<pid>/stat's fields after the command name (utime is [11], stime [12], rss [21])."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat:
                children[int(stat[1])].append(int(entry.name))
    found, stack = [], [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def event_log_profile(event_log_dir: Path) -> dict[str, Any]:
    """Seconds per labelled step from the run's Spark event log, and the driver's time outside jobs.

    The Glue script labels each Spark job `<dataset>: <step>` (setJobDescription); jobs of one label
    are summed. `before_first_job_s` is session start to the first job (listing files, planning),
    `between_jobs_s` the rest of the driver's time outside any job.
    """
    (log,) = [p for p in event_log_dir.iterdir() if p.is_file()]
    app_start = app_end = 0
    jobs: dict[int, dict[str, Any]] = {}
    for line in log.read_text().splitlines():
        event = json.loads(line)
        kind = event["Event"]
        if kind == "SparkListenerApplicationStart":
            app_start = event["Timestamp"]
        elif kind == "SparkListenerApplicationEnd":
            app_end = event["Timestamp"]
        elif kind == "SparkListenerJobStart":
            label = (event.get("Properties") or {}).get("spark.job.description") or "unlabelled"
            jobs[event["Job ID"]] = {"label": label, "start": event["Submission Time"]}
        elif kind == "SparkListenerJobEnd":
            jobs[event["Job ID"]]["end"] = event["Completion Time"]
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for job in jobs.values():
        spans[job["label"]].append((job["start"], job.get("end", job["start"])))
    steps = {label: _covered(label_spans) / 1000 for label, label_spans in spans.items()}
    busy = _covered([span for label_spans in spans.values() for span in label_spans]) / 1000
    first = min((j["start"] for j in jobs.values()), default=app_start)
    app_s = (app_end - app_start) / 1000 if app_end else 0.0
    before = (first - app_start) / 1000
    return {
        "spark_jobs": len(jobs),
        "app_s": app_s,
        "before_first_job_s": before,
        "between_jobs_s": max(app_s - before - busy, 0.0),
        "steps_s": steps,
        "event_log": str(log),
    }


def _covered(spans: list[tuple[int, int]]) -> int:
    """Milliseconds covered by the union of (start, end) spans: jobs may overlap (adaptive stages)."""
    total, reach = 0, None
    for start, end in sorted(spans):
        if reach is None or start > reach:
            total, reach = total + end - start, end
        elif end > reach:
            total, reach = total + end - reach, end
    return total
