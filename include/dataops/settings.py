"""Per-environment settings: the one place that knows which environment this is.

Environments are data. Each of local, dev, staging and prod has a versioned file in
include/config/, and nothing else in the project asks for the environment's name: DAGs and
tasks ask this module for values instead. On MWAA the environment is chosen with the Airflow
configuration option ``dataops.environment``, which MWAA exports as the variable below.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

ENV_VAR = "AIRFLOW__DATAOPS__ENVIRONMENT"
ENVIRONMENTS = ("local", "dev", "staging", "prod")
REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIG_DIR = REPO_ROOT / "include" / "config"
LOCAL_DIR_VAR = "DATAOPS_LOCAL_DIR"
# A sandbox's name (tests/integration/sandbox.py): local.yaml appends "-<name>" where it writes
# "{scope}", so a sandbox's run history and reports stay out of the developer's artifacts bucket.
SCOPE_VAR = "DATAOPS_SCOPE"


class SettingsError(ValueError):
    """A settings problem a user can fix; the message says how, in one line."""


@dataclass(frozen=True)
class Lake:
    raw: str
    curated: str
    quarantine: str


@dataclass(frozen=True)
class Buckets:
    raw: str
    curated: str
    quarantine: str
    artifacts: str
    scripts: str
    temp: str
    mwaa: str


@dataclass(frozen=True)
class Mwaa:
    environment: str


@dataclass(frozen=True)
class Glue:
    job_name: str
    runner: str  # "aws_glue" runs the job on AWS Glue; "local_spark" runs the same script here.
    catalog_database: str  # the Glue Data Catalog database of the curated zone (Spectrum reads it)


@dataclass(frozen=True)
class Warehouse:
    type: str  # "duckdb" locally, "redshift" in the cloud
    conn_id: str
    dbt_target: str
    schema: str


@dataclass(frozen=True)
class Dbt:
    executable: str


@dataclass(frozen=True)
class Sns:
    alerts_topic: str
    notifications_topic: str


@dataclass(frozen=True)
class CloudWatch:
    namespace: str


@dataclass(frozen=True)
class Concurrency:
    max_active_tasks: int


@dataclass(frozen=True)
class Retries:
    count: int
    delay_seconds: int


@dataclass(frozen=True)
class Sla:
    """How long the pipeline waits for its input. Each table's freshness SLA is not here: it is
    written once, as dbt meta.freshness (include/dataops/observability/freshness.py)."""

    raw_partition_wait_minutes: int


@dataclass(frozen=True)
class Quality:
    max_quarantine_rate: float
    # Days a failed run's audit schema is kept for inspection before the pipeline drops it.
    audit_retention_days: int
    # A raw file outside the landing contract (pipeline/landing.py): "warn" or "fail" the run.
    on_landing_violation: str


@dataclass(frozen=True)
class Monitoring:
    """Bounds, incident bookkeeping and DORA windows (issue 13)."""

    task_timeout_minutes: int  # every task's execution_timeout
    dagrun_timeout_minutes: int  # the whole run's bound
    gate_task: str  # its failure is a failed gate, not just a failed run
    publish_task: str  # its success ends a data incident
    change_failure_window_hours: int  # a failure this soon after a deploy counts against it
    dbt_regression_factor: float  # slower than factor x the rolling median ...
    dbt_regression_floor_seconds: float  # ... and by more than this many seconds
    dbt_regression_history_runs: int  # the rolling median's window (successful runs)


@dataclass(frozen=True)
class Settings:
    environment: str
    aws_region: str
    aws_account_id: str
    aws_conn_id: str
    lake: Lake
    buckets: Buckets
    mwaa: Mwaa
    glue: Glue
    warehouse: Warehouse
    dbt: Dbt
    sns: Sns
    cloudwatch: CloudWatch
    concurrency: Concurrency
    retries: Retries
    sla: Sla
    quality: Quality
    monitoring: Monitoring

    @property
    def alerts_topic_arn(self) -> str:
        return self._sns_arn(self.sns.alerts_topic)

    @property
    def notifications_topic_arn(self) -> str:
        return self._sns_arn(self.sns.notifications_topic)

    def _sns_arn(self, topic: str) -> str:
        return f"arn:aws:sns:{self.aws_region}:{self.aws_account_id}:{topic}"


_SECTIONS: dict[str, type[DataclassInstance]] = {
    "lake": Lake,
    "buckets": Buckets,
    "mwaa": Mwaa,
    "glue": Glue,
    "warehouse": Warehouse,
    "dbt": Dbt,
    "sns": Sns,
    "cloudwatch": CloudWatch,
    "concurrency": Concurrency,
    "retries": Retries,
    "sla": Sla,
    "quality": Quality,
    "monitoring": Monitoring,
}
_RUNNERS = ("aws_glue", "local_spark")
_WAREHOUSES = ("duckdb", "redshift")


def current_environment() -> str:
    """The environment this process runs in: the variable MWAA sets, or local by default."""
    name = os.environ.get(ENV_VAR, "local").strip() or "local"
    if name not in ENVIRONMENTS:
        raise SettingsError(
            f"Unknown environment {name!r} in {ENV_VAR}: set it to one of {', '.join(ENVIRONMENTS)}."
        )
    return name


@cache
def load_settings(environment: str | None = None) -> Settings:
    """Load and validate one environment's settings file (cached: it never changes in a process)."""
    name = environment or current_environment()
    if name not in ENVIRONMENTS:
        raise SettingsError(f"Unknown environment {name!r}: use one of {', '.join(ENVIRONMENTS)}.")
    path = CONFIG_DIR / f"{name}.yaml"
    try:
        raw = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise SettingsError(f"Settings file {path} is missing: restore it from git.") from None
    return _build(raw or {}, path)


def _build(raw: dict[str, Any], path: Path) -> Settings:
    values: dict[str, Any] = {}
    for field_name in Settings.__dataclass_fields__:
        if field_name not in raw:
            raise SettingsError(f"Missing settings key {field_name!r} in {path}: add it (see local.yaml).")
        section = _SECTIONS.get(field_name)
        if section is None:
            values[field_name] = str(raw[field_name])
            continue
        body = raw[field_name] or {}
        for key in section.__dataclass_fields__:
            if key not in body:
                raise SettingsError(
                    f"Missing settings key '{field_name}.{key}' in {path}: add it (see local.yaml)."
                )
        values[field_name] = section(**{k: _expand(body[k]) for k in section.__dataclass_fields__})
    settings = Settings(**values)
    if settings.glue.runner not in _RUNNERS:
        raise SettingsError(
            f"glue.runner is {settings.glue.runner!r} in {path}: use one of {', '.join(_RUNNERS)}."
        )
    if settings.warehouse.type not in _WAREHOUSES:
        raise SettingsError(
            f"warehouse.type is {settings.warehouse.type!r} in {path}: use one of {', '.join(_WAREHOUSES)}."
        )
    if settings.quality.on_landing_violation not in ("warn", "fail"):
        violation = settings.quality.on_landing_violation
        raise SettingsError(f"quality.on_landing_violation is {violation!r} in {path}: use warn or fail.")
    return settings


def local_dir() -> Path:
    """Where local state lives: .local/ in the checkout, or a sandbox a test names."""
    return Path(os.environ.get(LOCAL_DIR_VAR) or REPO_ROOT / ".local")


def _expand(value: Any) -> Any:
    """Local paths are written as "{repo}/..." or "{local}/...", so any clone (or sandbox) works;
    "{scope}" is "-<sandbox name>" in a sandbox, else nothing."""
    if not isinstance(value, str):
        return value
    scope = os.environ.get(SCOPE_VAR, "").strip()
    expanded = value.replace("{repo}", str(REPO_ROOT)).replace("{local}", str(local_dir()))
    return expanded.replace("{scope}", f"-{scope}" if scope else "")
