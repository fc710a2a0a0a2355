"""The README's fault table (## When a night goes wrong) names, per fault, the tests that inject
it; each named test file must exist, and each fault of the matrix must have a row, so the table
cannot drift from the tests it cites."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The fault matrix (issue 16): the words each one's row must hold in its first column.
FAULTS = (
    "the Glue job fails",
    "a dbt test fails",
    "a dbt model has an SQL error",
    "GX fails",
    "the warehouse is locked",
    "the warehouse is missing",
    "the Redshift connection is refused",
    "the artifacts bucket is unavailable",
    "SNS is unavailable",
    "a task process is killed (SIGKILL",
)


def _rows() -> list[list[str]]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## When a night goes wrong", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("| ")][1:]  # no header
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines]


def test_every_fault_of_the_matrix_has_a_row_with_a_test():
    rows = _rows()
    for fault in FAULTS:
        matching = [row for row in rows if row[0].startswith(fault)]
        assert len(matching) == 1, f"README fault table: no single row for {fault!r}"
        assert re.search(r"test_\w+\.py", matching[0][-1]), f"README fault table: {fault!r} names no test"


def test_every_test_file_the_table_names_exists():
    test_files = {path.name for path in (ROOT / "tests").rglob("test_*.py")}
    named = {name for row in _rows() for name in re.findall(r"test_\w+\.py", row[-1])}
    assert named and named <= test_files, (
        f"README fault table names missing tests: {sorted(named - test_files)}"
    )
