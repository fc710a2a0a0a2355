"""`make run`'s progress: one line per task as it finishes, read from the run's own log.

`airflow dags test` runs the tasks one at a time and logs `[DAG TEST] starting task_id=...` and
`[DAG TEST] end task task_id=...` around each, with the execution API's `new_state=...` in
between. Following the log file (rather than polling the SQLite metadata DB the run is writing)
adds no lock contention, and the log keeps every line; only the progress lines reach the terminal.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path

_LEVEL = "AIRFLOW__LOGGING__LOGGING_LEVEL"
# What the caller asked for, so the DAG run's log gets it (or Airflow's default), not the quieting.
_CALLER_LEVEL = os.environ.get(_LEVEL)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_STAMP = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)Z?\s")
_START = re.compile(r"\[DAG TEST\] starting task_id=(\S+) map_index=(-?\d+)")
_END = re.compile(r"\[DAG TEST\] end task task_id=(\S+) map_index=(-?\d+)")
_STATE = re.compile(r"\bnew_state=(\w+)")
_ERROR = re.compile(r"\[DAG TEST\] Error running task")


def quiet_library_logs() -> None:
    """Keep library INFO logs (such as the AWS connection wrapper's) out of this process's output.

    Airflow reads its log level once, when first imported, so call this before anything imports
    it. `run_logged` gives the DAG run the caller's level back: its log file keeps every line.
    """
    os.environ.setdefault(_LEVEL, "WARNING")


def task_line(task_id: str, map_index: int, state: str, seconds: float) -> str:
    """One finished task, aligned so a column of them reads as a table."""
    name = task_id if map_index < 0 else f"{task_id}[{map_index}]"
    return f"  {state:<17} {name:<44} {seconds:7.1f}s"


class LogProgress:
    """Turns `airflow dags test` log lines into one `task_line` per finished task."""

    def __init__(self) -> None:
        self._started: datetime | None = None
        self._state = "unknown"

    def feed(self, line: str) -> str | None:
        line = _ANSI.sub("", line)
        if _START.search(line):
            self._started, self._state = _stamp(line), "unknown"
        elif end := _END.search(line):
            finished, started = _stamp(line), self._started
            seconds = (finished - started).total_seconds() if finished and started else 0.0
            self._started = None
            return task_line(end[1], int(end[2]), self._state, seconds)
        elif state := _STATE.search(line):
            self._state = state[1]
        elif _ERROR.search(line):
            self._state = "failed"
        return None

    def lines(self, log: Iterable[str]) -> list[str]:
        return [out for line in log if (out := self.feed(line)) is not None]


def _stamp(line: str) -> datetime | None:
    match = _STAMP.match(line)
    return datetime.fromisoformat(match[1]) if match else None


def run_logged(
    command: Sequence[str],
    log_path: Path,
    cwd: Path,
    out: Callable[[str], None] = lambda line: print(line, flush=True),
    poll_seconds: float = 0.5,
) -> int:
    """Run `command` with its output in `log_path`, printing each task as it finishes; its exit code."""
    env = {key: value for key, value in os.environ.items() if key != _LEVEL}
    if _CALLER_LEVEL is not None:
        env[_LEVEL] = _CALLER_LEVEL
    progress = LogProgress()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log, log_path.open() as follow:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd)
        pending = ""
        while True:
            exited = process.poll() is not None
            pending += follow.read()
            *complete, pending = pending.split("\n")
            for line in progress.lines(complete):
                out(line)
            if exited:
                return process.returncode
            time.sleep(poll_seconds)
