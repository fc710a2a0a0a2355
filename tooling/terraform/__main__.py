"""`python -m tooling.terraform`: `make tf-check`'s first step, every .tf file parses."""

from __future__ import annotations

import sys
from pathlib import Path

from tooling.terraform.errors import HclSyntaxError
from tooling.terraform.files import TERRAFORM, parse_file


def main(tree: Path = TERRAFORM) -> int:
    """`make tf-check`'s first step: every .tf file parses, or a one-line error names the file."""
    files = sorted(tree.rglob("*.tf"))
    try:
        for path in files:
            parse_file(path)
    except HclSyntaxError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"hcl: all {len(files)} .tf files parse")
    return 0


if __name__ == "__main__":
    sys.exit(main())
