"""Compile the dbt project for Redshift with no connection, and parse the SQL as Redshift SQL.

Runs with the dbt venv's Python (dbt and SQLFluff live there, not in the Airflow venv):

    .venv-dbt/bin/python tooling/dbt/redshift_check.py --target prod --out DIR
    .venv-dbt/bin/python tooling/dbt/redshift_check.py --parse-only FILE.sql ...

`dbt compile` only needs the warehouse for two things here: is_incremental() asks whether the
model's table exists, and orders' run_window_was_loaded() counts the run window's loaded rows.
This script answers both itself (once "no table yet", once "the table exists and holds the
window": a rerun, the branch with the most SQL), so every branch of every incremental model is
compiled, and refuses every other attempt to reach Redshift. Each compiled model and data test
is then parsed with SQLFluff's redshift dialect; SQL that does not parse as Redshift fails the
check. The parser accepts any function name, so every function a file calls must also be one
Redshift documents: the allow-list tooling/dbt/redshift_functions.txt, taken from the AWS
Redshift SQL function reference. A DuckDB-only call (list_value(), or a dbt-duckdb
read_parquet() source leaking into Redshift SQL) fails with one line naming the model or test
file and the function.

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
REDSHIFT_FUNCTIONS_FILE = Path(__file__).with_name("redshift_functions.txt")


def redshift_functions() -> frozenset[str]:
    """The allow-list: every function name the AWS Redshift SQL function reference documents."""
    lines = REDSHIFT_FUNCTIONS_FILE.read_text().splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


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

    def execute(self, sql, auto_begin=False, fetch=False, limit=None):
        import agate
        from dbt.adapters.contracts.connection import AdapterResponse

        if not (table_exists and fetch and sql.lstrip().lower().startswith("select count(*) from")):
            raise WarehouseContacted(f"dbt tried to run SQL on Redshift during compile: {sql[:200]}")
        return AdapterResponse(_message="SELECT 1"), agate.Table([[1]], ["count"])

    def refuse(cls, connection):
        raise WarehouseContacted(f"dbt tried to connect to Redshift ({connection.name}) during compile")

    RedshiftAdapter.get_relation = get_relation
    RedshiftAdapter.execute = execute
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
    """Files that are not Redshift SQL, each with one line per problem found."""
    from sqlfluff.api.simple import get_simple_config
    from sqlfluff.core import Linter

    linter = Linter(config=get_simple_config(dialect="redshift"))
    allowed = redshift_functions()
    problems: dict[str, str] = {}
    for path in paths:
        parsed = linter.parse_string(path.read_text())
        source = _source_of(path)
        if parsed.violations:
            problems[str(path)] = f"{source} is not Redshift SQL: {parsed.violations[0].desc()}"
            continue
        tree = parsed.root_variant().tree
        called = sorted({_name(segment.raw) for segment in tree.recursive_crawl("function_name")})
        missing = [name for name in called if name not in allowed]
        if missing:
            problems[str(path)] = "\n".join(
                f"{source} calls {name}(), which Redshift does not have: use a function the AWS "
                "Redshift SQL reference documents (tooling/dbt/redshift_functions.txt) or a dbt "
                "cross-database macro such as {{ dbt.dateadd() }}"
                for name in missing
            )
    return problems


def _name(function_name: str) -> str:
    """The bare, lower-case name of a possibly quoted or schema-qualified function name."""
    return function_name.split(".")[-1].strip().strip('"').lower()


def _source_of(compiled: Path) -> str:
    """The project file a compiled file came from (dbt/models/..., a model or its tests' YAML)."""
    parts = compiled.parts
    if "compiled" in parts:
        inside = parts[parts.index("compiled") + 2 :]  # past compiled/<project name>/
        return str(Path(PROJECT_DIR.name, *inside))
    return str(compiled)


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
        # Both incremental branches compile a model without is_incremental() to the same problem.
        for line in dict.fromkeys(line for problem in problems.values() for line in problem.splitlines()):
            print(f"error: {line}", file=sys.stderr)
        print(f"{len(compiled) - len(problems)} of {len(compiled)} compiled files parse as Redshift SQL")
    return 1 if problems or not compiled else 0


if __name__ == "__main__":
    sys.exit(main())
