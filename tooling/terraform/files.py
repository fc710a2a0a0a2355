"""The .tf files as python-hcl2 reads them: one file, one module's files merged, and their blocks.

There is no Terraform binary here, so python-hcl2 parses the files; expressions stay strings
("${...}") for tooling.terraform.evaluate.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import hcl2

from tooling.terraform.errors import HclSyntaxError

TERRAFORM = Path(__file__).resolve().parents[2] / "infra" / "terraform"
ENVIRONMENTS = ("dev", "staging", "prod")


def unquote(label: str) -> str:
    return label[1:-1] if len(label) >= 2 and label[0] == label[-1] == '"' else label


@cache
def parse_file(path: Path) -> dict[str, Any]:
    with path.open() as handle:
        try:
            return hcl2.load(handle)
        except Exception as err:
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise HclSyntaxError(
                f"{path} does not parse as HCL ({first.rstrip('.')}): fix the syntax there."
            ) from None


def parse_dir(directory: Path) -> dict[str, list[Any]]:
    """All .tf files of one module, block lists merged as Terraform merges them."""
    merged: dict[str, list[Any]] = {}
    for path in sorted(directory.glob("*.tf")):
        for key, blocks in parse_file(path).items():
            merged.setdefault(key, []).extend(blocks)
    return merged


def blocks(doc: dict[str, list[Any]], kind: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(type, name, body) of every resource or data block."""
    for item in doc.get(kind, []):
        for rtype, named in item.items():
            for name, body in named.items():
                yield unquote(rtype), unquote(name), body


def labelled(doc: dict[str, list[Any]], kind: str) -> dict[str, dict[str, Any]]:
    """name -> body of single-label blocks (variable, output, module)."""
    return {unquote(name): body for item in doc.get(kind, []) for name, body in item.items()}


def merged_locals(doc: dict[str, list[Any]]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for block in doc.get("locals", []):
        values.update({k: v for k, v in block.items() if not k.startswith("__")})
    return values
