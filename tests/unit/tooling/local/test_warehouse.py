"""Tooling creates the empty warehouse the pipeline refuses to create, and never replaces one."""

from __future__ import annotations

from pathlib import Path

import duckdb

from tooling.local import warehouse


def test_create_makes_an_empty_duckdb_file_once_and_leaves_an_existing_one(tmp_path: Path, capsys) -> None:
    path = tmp_path / "new" / "warehouse.duckdb"
    assert warehouse.main([str(path)]) == 0
    assert "created an empty warehouse" in capsys.readouterr().out
    with duckdb.connect(str(path)) as con:
        con.execute("create table kept as select 1 as x")
    assert warehouse.create(path) is False
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("select x from kept").fetchall() == [(1,)]
