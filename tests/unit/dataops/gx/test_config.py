"""The quarantine reason set, read from the Glue script so GX and Glue cannot disagree."""

from __future__ import annotations

from pathlib import Path

import pytest

from include.dataops.gx.config import FALLBACK_REASONS, known_quarantine_reasons


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('REASONS = ("b", "a")\n', ("a", "b")),
        ('REASONS: dict[str, str] = {"x": "why x", "w": "why w"}\n', ("w", "x")),
        ('REASONS = frozenset({"z", "y"})\n', ("y", "z")),
    ],
)
def test_reasons_are_read_from_the_glue_script(
    tmp_path: Path, source: str, expected: tuple[str, ...]
) -> None:
    script = tmp_path / "orders_transform.py"
    script.write_text("import os\n" + source)
    assert known_quarantine_reasons(script) == expected


def test_reasons_fallback_and_non_literal_error(tmp_path: Path) -> None:
    assert known_quarantine_reasons(tmp_path / "absent.py") == FALLBACK_REASONS
    script = tmp_path / "orders_transform.py"
    script.write_text("REASONS = build()\n")
    with pytest.raises(ValueError, match="not a literal: write it as a tuple"):
        known_quarantine_reasons(script)


def test_the_fallback_mwaa_uses_is_the_glue_scripts_own_set() -> None:
    """On MWAA the script is not beside the DAGs, so the fallback is what GX checks against."""
    assert known_quarantine_reasons() == FALLBACK_REASONS
