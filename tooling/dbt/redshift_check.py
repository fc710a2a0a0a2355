"""Compile the dbt project for Redshift with no connection, and parse the SQL as Redshift SQL.

Runs with the dbt venv's Python (dbt and SQLFluff live there, not in the Airflow venv):

    .venv-dbt/bin/python tooling/dbt/redshift_check.py --target prod --out DIR
    .venv-dbt/bin/python tooling/dbt/redshift_check.py --parse-only FILE.sql ...

`dbt compile` only needs the warehouse for one thing here: is_incremental() asks whether the
model's table exists. This script answers that question itself (once "no table yet", once "the
table exists"), so both branches of every incremental model are compiled, and refuses every
other attempt to reach Redshift. Each compiled model and data test is then parsed with
SQLFluff's redshift dialect; SQL that does not parse as Redshift fails the check. The parser
accepts any function name, so calls to well-known DuckDB-only functions (a dbt-duckdb external
source leaking into Redshift SQL, say) are refused by name as well.

Prints a summary (or with --json a report: {"compiled": [...], "unparsable": {path: message}});
exits 1 when any file is not Redshift SQL.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt"
BRANCHES = ("first_run", "incremental")
# Functions DuckDB has and Redshift lacks, that a model written against DuckDB could slip in.
DUCKDB_ONLY_FUNCTIONS = frozenset(
    {
        "read_parquet",
        "parquet_scan",
        "read_csv",
        "read_csv_auto",
        "read_json",
        "read_json_auto",
        "list_value",
        "list_transform",
        "list_filter",
        "struct_pack",
        "epoch_ms",
        "strftime",
        "strptime",
        "regexp_matches",
        "date_diff",
        "date_sub",
    }
)


class WarehouseContacted(RuntimeError):
    """Compilation tried to reach Redshift: the check must stay offline."""


def _offline_adapter(table_exists: bool) -> None:
    """Answer is_incremental()'s lookup and forbid any real connection to Redshift."""
    from dbt.adapters.redshift import RedshiftAdapter
    from dbt.adapters.redshift.connections import RedshiftConnectionManager

    def get_relation(self, database, schema, identifier):
        if not table_exists:
            return None
        return self.Relation.create(database=database, schema=schema, identifier=identifier, type="table")

    def refuse(cls, connection):
        raise WarehouseContacted(f"dbt tried to connect to Redshift ({connection.name}) during compile")

    RedshiftAdapter.get_relation = get_relation
    RedshiftConnectionManager.open = classmethod(refuse)


def compile_for_redshift(target: str, out_dir: Path, dbt_vars: dict[str, str]) -> list[Path]:
    """Compile every model and data test for a Redshift target, both incremental branches."""
    from dbt.cli.main import dbtRunner

    compiled: list[Path] = []
    for branch in BRANCHES:
        _offline_adapter(table_exists=branch == "incremental")
        target_path = out_dir / branch
        result = dbtRunner().invoke(
            [
                "compile",
                "--project-dir",
                str(PROJECT_DIR),
                "--profiles-dir",
                str(PROJECT_DIR),
                "--target",
                target,
                "--target-path",
                str(target_path),
                "--log-path",
                str(out_dir / "logs"),
                "--no-populate-cache",
                "--no-partial-parse",
                "--select",
                "resource_type:model resource_type:test",
                "--exclude",
                "test_type:unit",
                "--vars",
                json.dumps(dbt_vars),
                "--quiet",
            ]
        )
        if not result.success:
            raise SystemExit(f"error: dbt compile for target {target} ({branch}) failed: {result.exception}")
        compiled += sorted((target_path / "compiled").rglob("*.sql"))
    return compiled


def unparsable_as_redshift(paths: list[Path]) -> dict[str, str]:
    """Files that are not Redshift SQL, with the first problem found in each."""
    import sqlfluff
    from sqlfluff.api.simple import APIParsingError

    problems: dict[str, str] = {}
    for path in paths:
        try:
            tree = sqlfluff.parse(path.read_text(), dialect="redshift")
        except APIParsingError as error:
            first = error.violations[0] if error.violations else error
            problems[str(path)] = str(first)
            continue
        duckdb_only = sorted({name.lower() for name in _function_names(tree)} & DUCKDB_ONLY_FUNCTIONS)
        if duckdb_only:
            problems[str(path)] = f"DuckDB-only function(s) not in Redshift: {', '.join(duckdb_only)}"
    return problems


def _function_names(node: object) -> list[str]:
    """Every function name called in a SQLFluff parse tree (comments and strings excluded)."""
    if isinstance(node, dict):
        names: list[str] = []
        for key, value in node.items():
            if key == "function_name_identifier" and isinstance(value, str):
                names.append(value)
            else:
                names += _function_names(value)
        return names
    if isinstance(node, list):
        return [name for item in node for name in _function_names(item)]
    return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="prod", help="a Redshift target of dbt/profiles.yml")
    parser.add_argument("--out", type=Path, help="directory for the compiled SQL (compile mode)")
    parser.add_argument("--run-date", default="2026-11-23", help="the run_date var to compile with")
    parser.add_argument("--parse-only", nargs="+", type=Path, help="only parse these SQL files")
    parser.add_argument("--json", action="store_true", help="print a JSON report instead of a summary")
    args = parser.parse_args(argv)
    os.environ.setdefault("DO_NOT_TRACK", "1")
    if args.parse_only:
        compiled = args.parse_only
    elif args.out:
        dbt_vars = {"run_date": args.run_date, "as_of": f"{args.run_date}T23:59:59+00:00"}
        # Absolute: dbt moves into the project directory before it writes anything.
        compiled = compile_for_redshift(args.target, args.out.resolve(), dbt_vars)
    else:
        parser.error("give --out DIR to compile, or --parse-only FILE...")
    problems = unparsable_as_redshift(compiled)
    if args.json:
        print(json.dumps({"compiled": [str(path) for path in compiled], "unparsable": problems}, indent=2))
    else:
        for path, problem in problems.items():
            print(f"error: {path} is not Redshift SQL: {problem}", file=sys.stderr)
        print(f"{len(compiled) - len(problems)} of {len(compiled)} compiled files parse as Redshift SQL")
    return 1 if problems or not compiled else 0


if __name__ == "__main__":
    sys.exit(main())
