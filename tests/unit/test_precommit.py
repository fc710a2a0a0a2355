"""The pre-commit hooks run the tools `make ci` runs, at the versions the locks pin.

The hooks are `repo: local` (GitHub is unreachable from the build machines), so nothing but this
test keeps their pins and the locks from drifting apart.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from include.dataops.settings import REPO_ROOT

CONFIG = REPO_ROOT / ".pre-commit-config.yaml"
# The venvs `make bootstrap` builds, each from its lock.
VENV_LOCKS = {".venv": "locks/airflow.txt", ".venv-dbt": "locks/dbt.txt"}


def lock_pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for lock in VENV_LOCKS.values():
        for name, version in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", (REPO_ROOT / lock).read_text(), re.M):
            pins[name.lower().replace("_", "-")] = version
    return pins


def hooks() -> list[dict[str, Any]]:
    return [hook for repo in yaml.safe_load(CONFIG.read_text())["repos"] for hook in repo["hooks"]]


def test_every_hook_dependency_is_pinned_to_the_locked_version():
    pins = lock_pins()
    dependencies = [dep for hook in hooks() for dep in hook.get("additional_dependencies", [])]
    unpinned = [dep for dep in dependencies if "==" not in dep]
    drifted = [
        f"{dep} (the lock pins {pins.get(dep.split('==')[0].lower())})"
        for dep in dependencies
        if "==" in dep and pins.get(dep.split("==")[0].lower()) != dep.split("==")[1]
    ]

    assert {"ruff", "pyyaml"} <= {dep.split("==")[0] for dep in dependencies}
    assert not unpinned, f"pin these hook dependencies with ==: {unpinned}"
    assert not drifted, f"set these hook pins to the lock's versions: {drifted}"


def test_pre_commit_itself_is_the_locked_version():
    assert str(yaml.safe_load(CONFIG.read_text())["minimum_pre_commit_version"]) == lock_pins()["pre-commit"]


def test_system_hooks_run_a_tool_from_a_venv_built_from_a_lock():
    for hook in (h for h in hooks() if h["language"] == "system"):
        tool = next(word for word in hook["entry"].split() if "/" in word)
        venv = tool.split("/")[0]

        assert venv in VENV_LOCKS, f"hook {hook['id']} runs {tool}: run a tool from {sorted(VENV_LOCKS)}"
        assert (REPO_ROOT / tool).is_file(), f"hook {hook['id']}: {tool} is missing (run make bootstrap)"
