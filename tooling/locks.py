"""Keep the lock files, requirements.txt and startup.sh saying the same versions.

The Airflow version is written once, in locks/airflow.in. `make lock` compiles the locks and then
runs `sync`, which rewrites every other place that names a pinned version (requirements.txt's
constraint line and pins, startup.sh's dbt pins, docker-compose's image tag) from the locks.
`check` runs in every bootstrap and fails in one line when someone edited one side only.

    python -m tooling.locks check | sync
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from include.dataops.settings import REPO_ROOT

AIRFLOW_LOCK = REPO_ROOT / "locks" / "airflow.txt"
DBT_LOCK = REPO_ROOT / "locks" / "dbt.txt"
REQUIREMENTS = REPO_ROOT / "requirements.txt"
STARTUP = REPO_ROOT / "startup.sh"
COMPOSE = REPO_ROOT / "docker-compose.yaml"
MWAA_PYTHON = "3.12"

_PIN = re.compile(r'^"?([A-Za-z0-9_.-]+)(\[[^\]]*\])?==([^\s"]+)"?')
_CONSTRAINT = re.compile(r"constraints-([0-9.]+)/constraints-([0-9.]+)\.txt")
_IMAGE = re.compile(r"apache/airflow:([0-9.]+)-python([0-9.]+)")


class LockMismatch(ValueError):
    """A pin differs between two files; the message names both and the fix."""


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        match = _PIN.match(line.strip())
        if match:
            pins[_normalise(match.group(1))] = match.group(3)
    return pins


def _pins_in(path: Path) -> dict[str, str]:
    return {
        _normalise(m.group(1)): m.group(3)
        for m in (_PIN.match(line.strip()) for line in path.read_text().splitlines())
        if m
    }


def check() -> None:
    airflow, dbt = read_lock(AIRFLOW_LOCK), read_lock(DBT_LOCK)
    expected = {REQUIREMENTS: airflow, STARTUP: dbt}
    for path, lock in expected.items():
        lock_name = "locks/airflow.txt" if lock is airflow else "locks/dbt.txt"
        for name, version in _pins_in(path).items():
            if lock.get(name) != version:
                raise LockMismatch(
                    f"{path.name} pins {name}=={version} but {lock_name} has "
                    f"{name}=={lock.get(name, 'nothing')}: run `make lock` to bring them in step."
                )
    airflow_version = airflow["apache-airflow"]
    for path, pattern in ((REQUIREMENTS, _CONSTRAINT), (COMPOSE, _IMAGE)):
        if not path.exists():
            continue
        for found, python in pattern.findall(path.read_text()):
            if (found, python) != (airflow_version, MWAA_PYTHON):
                raise LockMismatch(
                    f"{path.name} names Airflow {found} / Python {python} but locks/airflow.txt has "
                    f"Airflow {airflow_version} (MWAA runs Python {MWAA_PYTHON}): run `make lock`."
                )


def sync() -> None:
    airflow, dbt = read_lock(AIRFLOW_LOCK), read_lock(DBT_LOCK)
    version = airflow["apache-airflow"]

    def repin(text: str, lock: dict[str, str]) -> str:
        def one(match: re.Match[str]) -> str:
            name = _normalise(match.group(1))
            return match.group(0).replace(f"=={match.group(3)}", f"=={lock.get(name, match.group(3))}")

        return re.sub(r'(?m)^\s*"?([A-Za-z0-9_.-]+)(\[[^\]]*\])?==([^\s"]+)', one, text)

    text = repin(REQUIREMENTS.read_text(), airflow)
    REQUIREMENTS.write_text(_CONSTRAINT.sub(f"constraints-{version}/constraints-{MWAA_PYTHON}.txt", text))
    STARTUP.write_text(repin(STARTUP.read_text(), dbt))
    if COMPOSE.exists():
        COMPOSE.write_text(_IMAGE.sub(f"apache/airflow:{version}-python{MWAA_PYTHON}", COMPOSE.read_text()))


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    try:
        sync() if command == "sync" else check()
    except LockMismatch as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
