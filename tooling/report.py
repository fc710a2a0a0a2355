"""`make report`: the pipeline health report from the local run history, into .local/report/.

The page is the one the report task writes to the artifacts bucket after each run, built from
the same history, deployment log and run events (the emulator's artifacts bucket).

    python -m tooling.report [--out .local/report/index.html]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from include.dataops.observability.report.store import build_report
from include.dataops.settings import load_settings
from tooling.local.emulator import LOCAL_DIR

REPORT_PAGE = LOCAL_DIR / "report" / "index.html"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPORT_PAGE)
    args = parser.parse_args(argv)
    settings = load_settings()
    try:
        page = build_report(settings)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(page)
    print(f"{args.out} ({len(page) // 1024} KiB): open it in a browser (file://{args.out.resolve()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
