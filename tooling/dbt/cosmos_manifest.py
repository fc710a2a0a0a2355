"""The manifest Cosmos renders the DAG from: dbt's manifest cut to the fields Cosmos reads.

Cosmos (LoadMode.DBT_MANIFEST, 1.15.1) reads the manifest in every DAG parse, in the DAG
processor and in every task's process, and uses only each node's identity, type, file, parents,
tags, config, fqn and (for sources) freshness, plus the project name and the selectors
(cosmos/dbt/graph.py, `_build_dbt_node_from_manifest_resource`). The rest, the SQL, columns,
docs, macros and the parent and child maps, is most of the file: 714 KB against 28 KB for this
project, 12.2 MB against 2.5 MB at 1,000 synthetic models (`make bench-parse`). dbt's own
manifest stays as it is, for dbt and the pipeline (dbt_select, the gate, dbt docs); `make
dbt-manifest` writes this file beside it and the deploy bundle builds it from the manifest it
ships, so the two cannot drift.

    python -m tooling.dbt.cosmos_manifest [MANIFEST [OUT]]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from include.dataops.pipeline.dbt_artifacts import COSMOS_MANIFEST, DBT_MANIFEST

SECTIONS = ("nodes", "sources", "exposures")
NODE_FIELDS = (
    "unique_id",
    "resource_type",
    "package_name",
    "original_file_path",
    "path",
    "tags",
    "config",
    "freshness",
    "fqn",
)


def slim(manifest: dict[str, Any]) -> dict[str, Any]:
    """The parts of `manifest` Cosmos reads; the same manifest gives the same result."""
    out: dict[str, Any] = {
        "metadata": manifest.get("metadata", {}),
        "selectors": manifest.get("selectors", {}),
    }
    for section in SECTIONS:
        out[section] = {
            unique_id: {
                **{key: node[key] for key in NODE_FIELDS if key in node},
                "depends_on": {"nodes": node.get("depends_on", {}).get("nodes", [])},
            }
            for unique_id, node in manifest.get(section, {}).items()
        }
    return out


def slim_bytes(manifest: bytes) -> bytes:
    """slim() of a manifest file's bytes, as compact JSON."""
    return json.dumps(slim(json.loads(manifest)), separators=(",", ":"), sort_keys=True).encode()


def write(manifest: Path = DBT_MANIFEST, out: Path = COSMOS_MANIFEST) -> Path:
    if not manifest.is_file():
        raise SystemExit(f"error: {manifest} is missing: build it with `make dbt-manifest`.")
    out.write_bytes(slim_bytes(manifest.read_bytes()))
    return out


if __name__ == "__main__":
    print(write(*map(Path, sys.argv[1:3])))
