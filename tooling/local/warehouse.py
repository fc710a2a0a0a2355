"""Create an empty DuckDB warehouse: tooling's job, never the pipeline's.

The pipeline refuses a missing warehouse file (include/dataops/warehouse_engines.py) rather than
let DuckDB create an empty one under a run that would then publish one day as all of history. So
a fresh setup gets its file here: `make bootstrap` once (a fresh clone's first `make run` works),
a test sandbox when it is made, and `make warehouse` after a loss, on purpose.

    python -m tooling.local.warehouse PATH
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def create(path: Path) -> bool:
    """An empty DuckDB file at `path`; False (and nothing touched) when one is there already."""
    import duckdb

    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    duckdb.connect(str(path)).close()
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    path = parser.parse_args(argv).path
    if create(path):
        print(f"created an empty warehouse {path}: the next run builds the marts from the curated zone")
    else:
        print(f"warehouse {path} exists already: left as it is")
    return 0


if __name__ == "__main__":
    sys.exit(main())
