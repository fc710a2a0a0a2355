"""getResolvedOptions as on AWS Glue: `--KEY value` job arguments to a dict."""

from __future__ import annotations

import sys


def getResolvedOptions(args: list[str], options: list[str]) -> dict[str, str]:
    """Return the named options from `--KEY value` (or `--KEY=value`) arguments; others are ignored.

    A missing option ends the process with a one-line error, as argparse does on AWS Glue.
    """
    found: dict[str, str] = {}
    position = 0
    while position < len(args):
        token = args[position]
        if token.startswith("--"):
            key, sep, value = token[2:].partition("=")
            if not sep and position + 1 < len(args):
                position += 1
                value = args[position]
            found[key] = value
        position += 1
    missing = [name for name in options if name not in found]
    if missing:
        print(
            f"error: the following arguments are required: {', '.join('--' + m for m in missing)}",
            file=sys.stderr,
        )
        sys.exit(2)
    return {name: found[name] for name in options}
