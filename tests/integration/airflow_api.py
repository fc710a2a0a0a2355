"""A minimal Airflow 3 REST API client and a real local Airflow to point it at.

The test uses it exactly as an engineer's script would: sign in for a JWT, list DAGs and import
errors, unpause, trigger with conf, and poll the run. `rest` takes the deploy smoke's requests as
MWAA InvokeRestApi does, so tooling/deploy/smoke.py runs unchanged against it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tooling.local.emulator import AIRFLOW_HOME, UI_PASSWORD, UI_USER, free_port


@dataclass
class AirflowClient:
    base_url: str
    token: str = ""

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(
            f"{self.base_url}{path}",
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={
                "Content-Type": "application/json",
                **({"Authorization": f"Bearer {self.token}"} if self.token else {}),
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def rest(self, method: str, path: str, body: dict[str, Any] | None = None, **query: Any) -> Any:
        """One REST API call as MWAA InvokeRestApi takes it (a path under /api/v2, query apart).

        A read that times out is asked again, up to four times: on a loaded machine the API server
        can stall for minutes while the scheduler parses a Cosmos DAG.
        """
        url = f"/api/v2{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
        for _ in range(4 if method == "GET" else 0):
            with contextlib.suppress(TimeoutError):
                return self._call(method, url, body)
        return self._call(method, url, body)

    def login(self, username: str, password: str) -> None:
        self.token = self._call("POST", "/auth/token", {"username": username, "password": password})[
            "access_token"
        ]

    def dag_ids(self) -> list[str]:
        return [d["dag_id"] for d in self._call("GET", "/api/v2/dags?limit=100")["dags"]]

    def wait_for_dags(self, dag_ids: list[str], timeout: float = 180) -> None:
        """The DAG processor parses files after start-up; wait until these DAGs are listed."""
        deadline = time.monotonic() + timeout
        while not set(dag_ids) <= set(self.dag_ids()):
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"DAGs {dag_ids} not listed within {timeout:.0f} s: {self.import_errors()}"
                )
            time.sleep(2)

    def import_errors(self) -> list[dict[str, Any]]:
        return self._call("GET", "/api/v2/importErrors")["import_errors"]

    def unpause(self, dag_id: str) -> None:
        self._call("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": False})

    def trigger(
        self, dag_id: str, conf: dict[str, Any] | None = None, logical_date: str | None = None
    ) -> str:
        body = {"logical_date": logical_date, "conf": conf or {}}
        return self._call("POST", f"/api/v2/dags/{dag_id}/dagRuns", body)["dag_run_id"]

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self._call("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}")["state"]
            if state in ("success", "failed"):
                return state
            time.sleep(2)
        raise TimeoutError(f"{dag_id} run {run_id} did not finish within {timeout:.0f} s")

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str]:
        tis = self._call("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances?limit=500")
        return {ti["task_id"]: ti["state"] for ti in tis["task_instances"]}

    def task_instance(self, dag_id: str, run_id: str, task_id: str) -> dict[str, Any]:
        return self._call("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}")

    def clear_task(self, dag_id: str, run_id: str, task_id: str) -> None:
        """Clear one task of a run, whatever its state, and nothing downstream: the UI's Clear."""
        body = {"dry_run": False, "only_failed": False, "dag_run_id": run_id, "task_ids": [task_id]}
        self._call("POST", f"/api/v2/dags/{dag_id}/clearTaskInstances", body)


# Healthy in about a minute alone; several minutes when other test runs load the machine.
STARTUP_SECONDS = 480


class LocalAirflow:
    """`airflow standalone` in its own AIRFLOW_HOME and port, stopped by process group."""

    def __init__(self, home: Path, env: dict[str, str] | None = None) -> None:
        self.home = home
        self.base_env = env or dict(os.environ)
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = home / "standalone.log"

    def __enter__(self) -> AirflowClient:
        self.home.mkdir(parents=True, exist_ok=True)
        shutil.copy(AIRFLOW_HOME / "passwords.json", self.home / "passwords.json")
        env = {
            **self.base_env,
            "AIRFLOW_HOME": str(self.home),
            # Only the runs a test triggers: no scheduled run competes for max_active_runs=1.
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
            "AIRFLOW__API__PORT": str(self.port),
            # Task supervisors report to the API server's execution API, which moves with the port.
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{self.port}/execution/",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(self.home / "passwords.json"),
        }
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                ["airflow", "standalone"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        client = AirflowClient(f"http://127.0.0.1:{self.port}")
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"airflow standalone exited: see {self.log}")
            try:
                health = client._call("GET", "/api/v2/monitor/health")
                if all(health[c]["status"] == "healthy" for c in ("scheduler", "dag_processor")):
                    client.login(UI_USER, UI_PASSWORD)
                    return client
            except (urllib.error.URLError, ConnectionError, KeyError, TypeError):
                pass
            time.sleep(2)
        self.__exit__()  # a with-block whose __enter__ raised never reaches __exit__
        raise TimeoutError(f"airflow standalone was not healthy within {STARTUP_SECONDS} s: see {self.log}")

    def __exit__(self, *exc: object) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
