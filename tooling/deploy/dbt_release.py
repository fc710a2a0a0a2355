"""The prod dbt release: what a merge changed in dbt, built and published by the nightly DAG.

CI never writes the warehouse. `dbt ls --select state:modified+ --state <prod manifest>` names
the models changed since the last release (and their children); a run of the DAG on MWAA with
`dbt_select` set to them builds those, and the views they read, into its audit schema, reading
every other mart as published (the pipeline's deferral: include/dataops/pipeline/publish.py);
dbt tests, GX and the quality gate judge it there, and its publish task swaps the marts in. So
the DAG's publish stays the one writer of the consumer schema.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from include.dataops.settings import REPO_ROOT
from tooling.deploy.smoke import smoke
from tooling.deploy.types import AirflowCall, DeployError

DBT_EXECUTABLE = REPO_ROOT / ".venv-dbt" / "bin" / "dbt"
PUBLISH_TASK = "publish"


def modified_models(
    state: Path, target: str, target_path: Path | None = None, dbt: Path = DBT_EXECUTABLE
) -> list[str] | None:
    """The models changed since the manifest in `state`, and their children; None with no manifest
    there yet (the first release builds everything). dbt writes this code's manifest, the next
    release's state, to `target_path` (default dbt/target)."""
    if not (state / "manifest.json").is_file():
        return None
    project = str(REPO_ROOT / "dbt")
    command = [str(dbt), "--quiet", "ls", "--project-dir", project, "--profiles-dir", project]
    command += ["--target", target, "--resource-type", "model", "--output", "name"]
    command += ["--select", "state:modified+", "--state", str(state)]
    if target_path:
        command += ["--target-path", str(target_path)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stdout + done.stderr).strip()[-500:]
        raise DeployError(f"dbt ls against the manifest in {state} failed: {detail}; fix the project.")
    return sorted(line.strip() for line in done.stdout.splitlines() if line.strip())


def release(
    call: AirflowCall,
    environment: str,
    dag_id: str,
    gate_task: str,
    models: list[str] | None,
    *,
    out: Callable[[str], None] = print,
    **wait: Any,
) -> str:
    """Run the DAG for `models` (None: all of them) and require its gate and publish to succeed."""
    if models == []:
        out("no dbt model changed since the last release: nothing to build")
        return ""
    conf = {} if models is None else {"dbt_select": " ".join(models)}
    out(f"releasing dbt models: {conf.get('dbt_select', 'all')}")
    required = (PUBLISH_TASK,)
    return smoke(call, environment, dag_id, gate_task, conf=conf, also_required=required, out=out, **wait)
