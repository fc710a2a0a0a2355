"""The secrets stage: the audited baseline covers the repository, and a planted key fails the stage."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from include.dataops.settings import REPO_ROOT
from tooling.secrets_scan import BASELINE

# Built at run time so this file holds no key for the scanner to find. AWS's documented example key.
FAKE_KEY_ID = "AKIA" + "IOSFODNN7EXAMPLE"


def audited_copy(tmp_path: Path) -> Path:
    """A git checkout holding the baseline and every file it lists, as in the repository."""
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "--quiet"], cwd=root, check=True)
    shutil.copy(REPO_ROOT / BASELINE, root / BASELINE)
    for name in json.loads((REPO_ROOT / BASELINE).read_text())["results"]:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO_ROOT / name, root / name)
    return root


def secrets_stage(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tooling.secrets_scan", "--root", str(root)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )


def test_every_baseline_entry_is_audited_as_a_false_positive():
    results = json.loads((REPO_ROOT / BASELINE).read_text())["results"]

    assert results, "the baseline lists nothing: regenerate it with detect-secrets scan"
    assert {entry["is_secret"] for entries in results.values() for entry in entries} == {False}


def test_the_audited_files_pass_and_a_planted_aws_key_fails(tmp_path: Path):
    root = audited_copy(tmp_path)
    clean = secrets_stage(root)
    assert clean.returncode == 0, clean.stdout + clean.stderr

    config = root / "tooling" / "local" / "aws.env"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f"AWS_ACCESS_KEY_ID={FAKE_KEY_ID}\n")
    planted = secrets_stage(root)

    assert planted.returncode == 1
    assert "possible secret (AWS Access Key) at tooling/local/aws.env:1" in planted.stderr


def test_an_unaudited_baseline_entry_fails(tmp_path: Path):
    root = audited_copy(tmp_path)
    saved = json.loads((root / BASELINE).read_text())
    first = next(iter(saved["results"].values()))[0]
    del first["is_secret"]
    (root / BASELINE).write_text(json.dumps(saved))

    result = secrets_stage(root)

    assert result.returncode == 1
    assert f"{BASELINE} lists" in result.stderr and "not audited" in result.stderr


def test_this_checkout_has_no_finding_the_baseline_lacks():
    """The `make ci` stage itself, on this checkout: a fixture value that reads like a secret is
    marked `# pragma: allowlist secret` on its line, or audited into the baseline."""
    result = secrets_stage(REPO_ROOT)
    assert result.returncode == 0, result.stderr
