"""Data freshness, measured from outside the orchestrator: the newest timestamp per critical table.

Each table's SLA is written once, as `meta.freshness: {column, sla_hours}` on its dbt model
(dbt/models/marts/_marts.yml). Terraform reads the same YAML for the alarms and hands the SLAs
to the freshness Lambda as JSON (FRESHNESS_SLAS); locally `make freshness` reads the YAML.
The measurement takes any engine of the project's one warehouse abstraction
(include/dataops/warehouse_engines.py): the Lambda's Redshift Data API engine in the cloud,
DuckDB locally, or the pipeline's engine behind its Airflow connection (warehouse.engine).
Standard library only (PyYAML only when reading the YAML here), so the Lambda needs just boto3.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from include.dataops.warehouse_engines import Engine, WarehouseError

DATA_FRESHNESS = "DataFreshness"
MARTS_YAML = Path(__file__).resolve().parents[3] / "dbt" / "models" / "marts" / "_marts.yml"


class FreshnessError(RuntimeError):
    """A table whose freshness cannot be measured; the message names it and the fix."""


@dataclass(frozen=True)
class Sla:
    column: str
    sla_hours: float


@dataclass(frozen=True)
class Measurement:
    table: str
    hours: float | None  # None: the table is empty, which is as stale as data gets
    sla_hours: float

    @property
    def stale(self) -> bool:
        return self.hours is None or self.hours > self.sla_hours


def slas_from_dbt(path: Path = MARTS_YAML) -> dict[str, Sla]:
    """Every model with `meta.freshness` in the dbt YAML (needs PyYAML, so never in the Lambda)."""
    import yaml

    models = (yaml.safe_load(path.read_text()) or {}).get("models", [])
    found = {}
    for model in models:
        spec = ((model.get("config") or {}).get("meta") or {}).get("freshness")
        if spec:
            found[model["name"]] = Sla(str(spec["column"]), float(spec["sla_hours"]))
    return found


def slas_to_json(slas: Mapping[str, Sla]) -> str:
    return json.dumps({table: asdict(sla) for table, sla in sorted(slas.items())})


def slas_from_json(text: str) -> dict[str, Sla]:
    return {table: Sla(str(v["column"]), float(v["sla_hours"])) for table, v in json.loads(text).items()}


def _as_utc(value: Any) -> datetime:
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def measure(engine: Engine, schema: str, slas: Mapping[str, Sla], now: datetime) -> list[Measurement]:
    """Hours since each table's newest value in its SLA column (timestamps are UTC)."""
    found = []
    for table, sla in sorted(slas.items()):
        try:
            newest = engine.scalar(f"select max({sla.column}) from {schema}.{table}")
        except Exception as exc:
            if isinstance(exc, WarehouseError) and not engine.exists():
                raise  # no warehouse at all: its message says what to do
            raise FreshnessError(
                f"Cannot read max({sla.column}) from {schema}.{table} ({str(exc).splitlines()[0]}): "
                "check the table exists and the column named in its dbt meta.freshness."
            ) from None
        hours = None if newest is None else round((now - _as_utc(newest)).total_seconds() / 3600, 3)
        found.append(Measurement(table, hours, sla.sla_hours))
    return found


def metric_data(measurements: list[Measurement], when: datetime) -> list[dict[str, Any]]:
    """DataFreshness per table. An empty table sends nothing: its alarm treats missing data as
    breaching, so silence pages just as staleness does.
    """
    return [
        {
            "MetricName": DATA_FRESHNESS,
            "Dimensions": [{"Name": "Table", "Value": m.table}],
            "Value": m.hours,
            "Unit": "None",
            "Timestamp": when,
        }
        for m in measurements
        if m.hours is not None
    ]
