"""The Terraform modules the structural tests walk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tooling.terraform.files import TERRAFORM, blocks, parse_dir

MODULES = sorted(p for p in (TERRAFORM / "modules").iterdir() if p.is_dir())


def module_resources() -> list[tuple[Path, str, str, dict[str, Any]]]:
    """(module directory, type, name, body) of every resource in every module."""
    return [(m, t, n, b) for m in MODULES for t, n, b in blocks(parse_dir(m), "resource")]
