"""Every model and data test compiles for Redshift, with no connection, to SQL Redshift parses.

The cloud warehouse is unreachable from here, so this is how a DuckDB-only construct is caught
before it reaches Redshift: tooling/dbt/redshift_check.py compiles the project for the prod
target (both branches of each incremental model), parses the result with SQLFluff's redshift
dialect, and holds every function called to the functions Redshift documents.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tooling.dbt.fixtures import DBT_PROJECT_DIR, REPO_ROOT

pytestmark = pytest.mark.integration

DBT_PYTHON = REPO_ROOT / ".venv-dbt" / "bin" / "python"
CHECK = REPO_ROOT / "tooling" / "dbt" / "redshift_check.py"
MODELS = {
    "stg_orders",
    "stg_customers",
    "int_customers_deduplicated",
    "orders",
    "orders_daily",
    "customers",
}


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DO_NOT_TRACK": "1"}
    command = [str(DBT_PYTHON), str(CHECK), *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, check=False)


def _check(*args: str) -> tuple[int, dict[str, Any]]:
    done = _run("--json", *args)
    assert done.stdout.strip().startswith("{"), done.stdout + done.stderr
    return done.returncode, json.loads(done.stdout)


@pytest.fixture(scope="module")
def redshift_compile(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any], Path]:
    out = tmp_path_factory.mktemp("redshift")
    code, report = _check("--target", "prod", "--out", str(out), "--run-date", "2026-11-23")
    return code, report, out


def _compiled(out: Path, branch: str, model: str) -> str:
    [path] = (out / branch / "compiled").rglob(f"models/*/{model}.sql")
    return path.read_text()


def test_every_model_and_test_compiles_to_redshift_sql(redshift_compile) -> None:
    code, report, _ = redshift_compile
    assert report["unparsable"] == {}
    assert code == 0
    compiled = report["compiled"]
    compiled_models = {Path(path).stem for path in compiled if "/models/" in path and "/_" not in path}
    assert compiled_models == MODELS
    assert any(path.endswith("/tests/orders_held_too_long.sql") for path in compiled)  # a singular test
    compiled_tests = [path for path in report["compiled"] if ".yml/" in path]
    assert any("recency" in path for path in compiled_tests)
    assert any("accepted_range" in path for path in compiled_tests)
    assert any("expression_is_true" in path for path in compiled_tests)


def test_both_incremental_branches_are_checked(redshift_compile) -> None:
    """The incremental branch is a rerun's, the one with the most SQL (replace_load_days)."""
    _, _, out = redshift_compile
    first_run = _compiled(out, "first_run", "orders")
    incremental = _compiled(out, "incremental", "orders")
    assert "loaded_elsewhere" not in first_run
    assert "loaded_elsewhere" in incremental and "versions_from_other_days" in incremental
    assert "cast('2026-11-23' as date)" in incremental


def test_sources_are_the_spectrum_schema_on_redshift(redshift_compile) -> None:
    _, _, out = redshift_compile
    staging = _compiled(out, "first_run", "stg_orders")
    assert '"curated"."orders"' in staging
    assert "read_parquet" not in staging


def test_duckdb_only_sql_is_caught(redshift_compile, tmp_path: Path) -> None:
    _, _, out = redshift_compile
    good = next((out / "first_run" / "compiled").rglob("models/staging/stg_orders.sql"))
    star_replace = tmp_path / "star_replace.sql"
    star_replace.write_text("select * replace (order_total * 2 as order_total) from analytics.orders\n")
    leaked_source = tmp_path / "leaked_source.sql"
    leaked_source.write_text(
        "select order_id from read_parquet('lake/orders/dt=*/*.parquet', hive_partitioning = true)\n"
    )
    code, report = _check("--parse-only", str(good), str(star_replace), str(leaked_source))
    assert code == 1
    assert set(report["unparsable"]) == {str(star_replace), str(leaked_source)}
    assert "read_parquet" in report["unparsable"][str(leaked_source)]


def test_a_model_calling_a_duckdb_only_function_fails_naming_the_model_and_the_function(
    redshift_compile, tmp_path: Path
) -> None:
    """The compiled orders mart, as dbt lays it out, with one DuckDB-only call slipped in."""
    _, _, out = redshift_compile
    model = tmp_path / "compiled" / "orders_analytics" / "models" / "marts" / "orders.sql"
    model.parent.mkdir(parents=True)
    good = _compiled(out, "first_run", "orders")
    model.write_text(good.replace("select", "select list_value(order_id) as order_ids,", 1))
    done = _run("--parse-only", str(model))
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "error: dbt/models/marts/orders.sql calls list_value(), which Redshift does not have: use a "
        "function the AWS Redshift SQL reference documents (tooling/dbt/redshift_functions.txt) or a dbt "
        "cross-database macro such as {{ dbt.dateadd() }}"
    ]


def test_function_names_are_matched_case_insensitively_and_calls_in_comments_or_strings_are_not_calls(
    tmp_path: Path,
) -> None:
    sql = tmp_path / "mixed_case.sql"
    sql.write_text(
        "-- list_value(1) in a comment\n"
        "select DATEADD(day, 1, CURRENT_DATE) as d, Count(*) as n, 'strftime(x)' as s from analytics.orders\n"
    )
    code, report = _check("--parse-only", str(sql))
    assert (code, report["unparsable"]) == (0, {})


def test_the_allow_list_is_the_documented_functions_and_names_its_source() -> None:
    text = (CHECK.parent / "redshift_functions.txt").read_text()
    assert "https://docs.aws.amazon.com/redshift/latest/dg/c_SQL_functions.html" in text
    names = {line for line in text.splitlines() if line and not line.startswith("#")}
    assert {"dateadd", "datediff", "listagg", "split_part", "row_number", "md5", "convert_timezone"} <= names
    assert not {"list_value", "strftime", "read_parquet", "epoch_ms", "struct_pack"} & names
    assert all(name == name.strip().lower() for name in names)


def test_dev_target_parses_without_secrets_into_a_personal_schema(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DBT_")}
    env.update({"DO_NOT_TRACK": "1", "DBT_USER": "alice"})
    done = subprocess.run(
        [
            str(REPO_ROOT / ".venv-dbt" / "bin" / "dbt"),
            "parse",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target",
            "dev",
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    schemas = {node["schema"] for node in manifest["nodes"].values() if node["resource_type"] == "model"}
    assert schemas == {"dbt_alice"}
    assert {source["schema"] for source in manifest["sources"].values()} == {"curated"}


def test_every_model_and_column_is_documented_and_marts_are_contracted(redshift_compile) -> None:
    _, _, out = redshift_compile
    manifest = json.loads((out / "first_run" / "manifest.json").read_text())
    models = [node for node in manifest["nodes"].values() if node["resource_type"] == "model"]
    assert {model["name"] for model in models} == MODELS
    for model in models:
        assert model["description"].strip(), f"{model['name']} has no description"
        assert model["columns"], f"{model['name']} documents no columns"
        columns = model["columns"].items()
        undocumented = [name for name, column in columns if not column["description"].strip()]
        assert not undocumented, f"{model['name']}: undocumented columns {undocumented}"
        if model["path"].startswith("marts/"):
            assert model["config"]["contract"]["enforced"], f"{model['name']} has no enforced contract"
            untyped = [name for name, column in model["columns"].items() if not column["data_type"]]
            assert not untyped, f"{model['name']}: columns without data_type {untyped}"
