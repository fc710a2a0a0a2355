"""`make gx-check`: the marts checkpoint on the local warehouse, or on sample data if dbt has not built it.

It lives in tooling/ because it builds sample data (tooling.local.gx_sample); the checkpoint it
runs is the runtime's own (include.dataops.gx.checkpoint), on the published (consumer) marts.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, timedelta

from include.dataops.gx.checkpoint import validate_marts
from include.dataops.gx.config import GxConfig
from include.dataops.gx.results import GxCheckError, iso_day
from include.dataops.settings import REPO_ROOT, Settings, load_settings
from include.dataops.warehouse import WarehouseError, scalar
from tooling.local.gx_sample import SCENARIOS, build_sample, sample_conn_id, sample_connection_uri

SAMPLE_ROOT = REPO_ROOT / ".local" / "gx" / "sample"


def main(argv: list[str] | None = None) -> int:
    """The checks on the real local marts if dbt built them, else on sample data."""
    parser = argparse.ArgumentParser(prog="python -m tooling.gx_check", description=main.__doc__)
    parser.add_argument(
        "--run-date", help="the day to check, YYYY-MM-DD (default: the newest day in the marts)"
    )
    parser.add_argument("--sample", action="store_true", help="use sample data even if the marts exist")
    parser.add_argument("--scenario", choices=SCENARIOS, default="clean", help="sample data scenario")
    parser.add_argument("--no-publish", action="store_true", help="do not upload results and docs to S3")
    args = parser.parse_args(argv)
    settings = load_settings()
    try:
        run_date = None if args.sample else newest_mart_day(settings)
        if run_date is None:
            run_date = iso_day(args.run_date or (date.today() - timedelta(days=1)).isoformat())
            root = SAMPLE_ROOT
            settings = build_sample(root, run_date, settings, scenario=args.scenario)
            os.environ[f"AIRFLOW_CONN_{sample_conn_id(root).upper()}"] = sample_connection_uri(root)
            print(f"checking sample data ({args.scenario}) for {run_date} in {root}")
        else:
            run_date = iso_day(args.run_date or run_date)
            print(f"checking the marts in {settings.warehouse.conn_id} for {run_date}")
        result = validate_marts(run_date, settings, publish=not args.no_publish)
    except (GxCheckError, RuntimeError, ValueError) as exc:
        print(f"error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    counts = result.counts()
    print(
        f"{counts['checks_passed']}/{counts['checks_total']} checks passed in {counts['suites_total']} suites"
    )
    for line in result.failed_checks():
        print(f"  FAILED {line}")
    print(f"data docs: {result.docs_local}" + (f" and {result.docs_uri}" if result.docs_uri else ""))
    return 0 if result.success else 1


def newest_mart_day(settings: Settings) -> str | None:
    """The newest order_date in the published marts, or None when dbt has not built them here."""
    config = GxConfig()
    sql = (
        f"select max({config.columns.order_date}) from "
        f"{settings.warehouse.schema}.{config.tables.orders_daily}"
    )
    try:
        newest = scalar(sql, settings.warehouse.conn_id)
    except WarehouseError as exc:
        print(f"no marts to check in the local warehouse ({exc}): using sample data")
        return None
    return str(newest)[:10] if newest is not None else None


if __name__ == "__main__":
    raise SystemExit(main())
