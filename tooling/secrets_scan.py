"""The secrets stage: detect-secrets over every file git would commit, held to the audited baseline.

detect-secrets' own pre-commit hook rewrites .secrets.baseline whenever a line number moves (and
then fails) and never checks that the baseline was audited, so CI calls its scanner through this
smallest wrapper instead. It fails on a finding the baseline lacks, and on a baseline entry that
an audit has not marked `is_secret: false` (a real secret is removed from the code, not listed).

    python -m tooling.secrets_scan [--root PATH]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from detect_secrets.core import baseline
from detect_secrets.core.potential_secret import PotentialSecret
from detect_secrets.core.scan import scan_file
from detect_secrets.core.secrets_collection import SecretsCollection
from detect_secrets.settings import transient_settings

BASELINE = ".secrets.baseline"
AUDIT_HOW = (
    "if it is a false positive, run `.venv/bin/detect-secrets scan --baseline .secrets.baseline` "
    "and mark it with `.venv/bin/detect-secrets audit .secrets.baseline`; if it is real, remove it "
    "from the code and rotate it"
)


def candidate_files(root: Path) -> list[str]:
    """Tracked and new (not ignored) files: what the next commit could contain."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return sorted(
        name for name in listed.split("\0") if name and name != BASELINE and (root / name).is_file()
    )


def scan(root: Path) -> tuple[list[PotentialSecret], list[PotentialSecret]]:
    """(findings the baseline lacks, baseline entries not audited as false positives)."""
    saved = baseline.load_from_file(str(root / BASELINE))
    with transient_settings({"plugins_used": saved["plugins_used"], "filters_used": saved["filters_used"]}):
        known = SecretsCollection.load_from_baseline(saved)
        found = SecretsCollection()
        for name in candidate_files(root):
            for secret in scan_file(str(root / name)):
                secret.filename = name  # the baseline names files relative to the root
                found[name].add(secret)
    new = [secret for _, secret in found - known]
    unaudited = [secret for _, secret in known if secret.is_secret is not False]
    return new, unaudited


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tooling.secrets_scan", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the checkout to scan (default: here)")
    root = parser.parse_args(argv).root.resolve()
    if not (root / BASELINE).is_file():
        print(f"error: {root / BASELINE} is missing: restore it from git.", file=sys.stderr)
        return 2
    new, unaudited = scan(root)
    for secret in new:
        where = f"{secret.filename}:{secret.line_number}"
        print(f"error: possible secret ({secret.type}) at {where}: {AUDIT_HOW}.", file=sys.stderr)
    for secret in unaudited:
        where = f"{secret.filename}:{secret.line_number} ({secret.type})"
        verdict = "audited as a real secret" if secret.is_secret else "not audited"
        print(f"error: {BASELINE} lists {where} {verdict}: {AUDIT_HOW}.", file=sys.stderr)
    if new or unaudited:
        return 1
    print(f"secrets: no finding outside {BASELINE}, every entry audited as a false positive")
    return 0


if __name__ == "__main__":
    sys.exit(main())
