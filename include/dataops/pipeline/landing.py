"""The landing contract: which files in a raw partition are data, which are markers, which break it.

The one definition the sensor (pipeline/orders.py, wait_for_raw_partition) and the Glue job share:
the DAG passes it to the job as the `--LANDING_CONTRACT` argument (JSON), since the Glue script runs
alone on AWS Glue and imports nothing of ours. A leaf module: nothing heavy, no I/O.

- data: a name ending in one of DATA_SUFFIXES, optionally then ".gz" (the job also checks the
  content: gzip without ".gz", or another compression, is rejected per file with one reason);
- markers: the names in MARKERS, empty;
- anything else breaks the contract (a marker with content,
  any other hidden or foreign name): it is not read, it is listed in the run manifest under
  `unexpected_files`, and the run warns or fails per `on_violation` (quality.on_landing_violation).
"""

from __future__ import annotations

import json

DATA_SUFFIXES = (".jsonl", ".json", ".ndjson")
COMPRESSED_SUFFIX = ".gz"
MARKERS = ("_SUCCESS",)
ON_VIOLATION = ("warn", "fail")


def file_kind(name: str, size: int) -> str:
    """'data', 'marker' or 'unexpected' for a file in a raw partition (the Glue job mirrors this)."""
    if name in MARKERS and size == 0:
        return "marker"
    if name.startswith(("_", ".")):
        return "unexpected"
    return "data" if name.removesuffix(COMPRESSED_SUFFIX).endswith(DATA_SUFFIXES) else "unexpected"


def is_data_file(name: str) -> bool:
    """Whether the sensor counts `name` as landed data (the name; its content is the job's to judge)."""
    return file_kind(name, size=1) == "data"


def contract_argument(on_violation: str) -> str:
    """The contract as the Glue job's `--LANDING_CONTRACT` value."""
    if on_violation not in ON_VIOLATION:
        raise ValueError(f"on_landing_violation {on_violation!r} is not one of {', '.join(ON_VIOLATION)}")
    return json.dumps(
        {
            "data_suffixes": list(DATA_SUFFIXES),
            "compressed_suffix": COMPRESSED_SUFFIX,
            "markers": list(MARKERS),
            "on_violation": on_violation,
        },
        separators=(",", ":"),
    )
