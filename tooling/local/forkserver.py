"""A warm interpreter for the test suite: it imports a command's libraries once, then forks one
child per invocation, so an invocation stops paying the import.

Importing dbt takes 4.3 CPU s before it does anything (mashumaro compiles its dataclasses'
serializers at import), and the suite invokes dbt dozens of times. A forked child starts with
those modules loaded and nothing else of the parent's: each invocation gets its own environment,
working directory, argv and output files, runs the command's own entry point (what its console
script runs), and exits; the parent never runs a command itself, so no state passes from one
invocation to the next. It is the preloading fork server multiprocessing's "forkserver" start
method is, for a console command rather than a Python function.

Only tests use it (dbt in tooling/dbt/fixtures.py, `airflow dags test` in
tests/integration/sandbox.py); the pipeline, `make run` and the benchmarks run the real console
scripts. Serve: `python -m tooling.local.forkserver <module:function> [preload ...]`,
one JSON request a line on stdin, one JSON reply a line on stdout.
"""

from __future__ import annotations

import atexit
import importlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

# The server runs in the dbt venv, which has none of the project's dependencies: stdlib only here.
REPO_ROOT = Path(__file__).resolve().parents[2]


def _entry_point(spec: str) -> Callable[[], Any]:
    module, _, function = spec.partition(":")
    return getattr(importlib.import_module(module), function)


def _run_child(entry: Callable[[], Any], request: dict[str, Any]) -> int:
    """In the forked child: become the invocation, run it, and return its exit code."""
    with open(os.devnull, "rb") as null, open(request["output"], "wb") as out:
        os.dup2(null.fileno(), 0)
        os.dup2(out.fileno(), 1)
        os.dup2(out.fileno(), 2)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = list(request["argv"])
    try:
        result = entry()
        code = result if isinstance(result, int) else 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    return code


def serve(entry_spec: str, preload: Sequence[str]) -> None:
    """Import (a `module:function` preload is also called), then answer requests until stdin
    closes: each one forked, run and reaped."""
    # Replies get a descriptor of their own; whatever a preload prints goes to the server's log.
    replies = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    for spec in preload:
        if ":" in spec:
            _entry_point(spec)()
        else:
            importlib.import_module(spec)
    entry = _entry_point(entry_spec)
    # A thread alive now would be missing in every child, holding whatever lock it held.
    assert threading.active_count() == 1, f"threads at fork: {threading.enumerate()}"
    for line in sys.stdin:
        request = json.loads(line)
        replies.flush()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            os._exit(_run_child(entry, request))
        _, status = os.waitpid(pid, 0)
        replies.write(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}) + "\n")
        replies.flush()


class ForkServer:
    """The client side: one server process, started on first use and stopped at exit."""

    def __init__(
        self,
        python: Path,
        entry: str,
        preload: Sequence[str],
        log: Path,
        env: Mapping[str, str] | None = None,
    ) -> None:
        """`env`: the server's own environment (what its preloads see), os.environ by default."""
        self._command = [str(python), "-m", "tooling.local.forkserver", entry, *preload]
        self._log = log
        self._env = dict(env or os.environ)
        self._process: subprocess.Popen[str] | None = None

    def run(
        self, argv: Sequence[str], env: Mapping[str, str], output: Path, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        """What subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True) returns
        for the console script, with its stdout and stderr merged into `output` as well."""
        process = self._started()
        assert process.stdin and process.stdout
        request = {
            "argv": list(argv),
            "env": dict(env),
            "cwd": str(cwd or os.getcwd()),
            "output": str(output),
        }
        process.stdin.write(json.dumps(request) + "\n")
        process.stdin.flush()
        reply = process.stdout.readline()
        if not reply:
            raise RuntimeError(f"the fork server ({' '.join(self._command)}) exited: see {self._log}")
        text = output.read_text(errors="replace")
        return subprocess.CompletedProcess(list(argv), json.loads(reply)["returncode"], text, "")

    def _started(self) -> subprocess.Popen[str]:
        if self._process is None or self._process.poll() is not None:
            self._log.parent.mkdir(parents=True, exist_ok=True)
            with self._log.open("a") as log:
                self._process = subprocess.Popen(
                    self._command,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    text=True,
                    cwd=REPO_ROOT,
                    env={**self._env, "PYTHONPATH": _with_repo(self._env.get("PYTHONPATH", ""))},
                )
            atexit.register(self.stop)
        return self._process

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            assert self._process.stdin
            self._process.stdin.close()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a child still running: the server waits for it
                self._process.kill()
                self._process.wait()


def _with_repo(pythonpath: str) -> str:
    parts = [p for p in pythonpath.split(os.pathsep) if p]
    return os.pathsep.join(parts if str(REPO_ROOT) in parts else [*parts, str(REPO_ROOT)])


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2:])
