"""`make freshness`: the freshness Lambda's handler, run here against the emulator and DuckDB.

The same handler code as in the cloud (lambdas/freshness/handler.py); only its environment
differs: the SLAs straight from the dbt YAML, the DuckDB engine and the local settings' names.
"""

from __future__ import annotations

import os
import sys

from include.dataops.observability import freshness
from include.dataops.settings import load_settings, local_dir
from include.dataops.warehouse_engines import WarehouseError
from lambdas.freshness import handler


def local_environment() -> dict[str, str]:
    settings = load_settings("local")
    return {
        "FRESHNESS_SLAS": freshness.slas_to_json(freshness.slas_from_dbt()),
        "WAREHOUSE_SCHEMA": settings.warehouse.schema,
        "METRICS_NAMESPACE": settings.cloudwatch.namespace,
        "ENVIRONMENT": settings.environment,
        "ARTIFACTS_BUCKET": settings.buckets.artifacts,
        "WAREHOUSE_ENGINE": "duckdb",
        "DUCKDB_PATH": os.environ.get("DATAOPS_DUCKDB_PATH") or str(local_dir() / "warehouse.duckdb"),
    }


def main() -> int:
    try:
        report = handler.run(local_environment())
    except (WarehouseError, freshness.FreshnessError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{'table':<14} {'age (h)':>9} {'SLA (h)':>8}  verdict")
    for table, row in report.items():
        age = "empty" if row["hours"] is None else f"{row['hours']:.1f}"
        print(f"{table:<14} {age:>9} {row['sla_hours']:>8.0f}  {'STALE' if row['stale'] else 'fresh'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
