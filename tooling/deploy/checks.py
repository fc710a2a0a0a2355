"""What must hold before a deployment: a known cloud environment, a commit, and for prod a release.

Prod runs only reviewed code, so a prod deployment or rollback needs a clean tree at a commit that
main contains; every deployment records the commit it shipped (DORA's lead time starts there).
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

from include.dataops.settings import load_settings
from tooling.deploy.types import CLOUD_ENVIRONMENTS, Commit, DeployError, Target

RELEASE_ENVIRONMENTS = ("prod",)
MAIN_REFS = ("origin/main", "main")


def target_for(environment: str, **overrides: str | None) -> Target:
    """The environment's names by convention and settings; a non-empty override wins."""
    if environment not in CLOUD_ENVIRONMENTS:
        raise DeployError(
            f"Unknown environment {environment!r}: deploy to one of {', '.join(CLOUD_ENVIRONMENTS)} "
            "(the local environment runs with `make run`)."
        )
    settings = load_settings(environment)
    names = {
        "mwaa_environment": settings.mwaa.environment,
        "dags_bucket": settings.buckets.mwaa,
        "artifacts_bucket": settings.buckets.artifacts,
        "scripts_bucket": settings.buckets.scripts,
    }
    names.update({k: v for k, v in overrides.items() if v})
    return Target(
        environment=environment,
        region=settings.aws_region,
        notifications_topic_arn=settings.notifications_topic_arn,
        **names,
    )


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    except OSError as exc:
        raise DeployError(f"git is not available ({exc}): install git and deploy from a checkout.") from None


def current_commit(root: Path) -> Commit:
    result = _git(root, "show", "-s", "--format=%H %cI", "HEAD")
    if result.returncode != 0:
        raise DeployError(
            f"{root} is not a git checkout with a commit: deploy from a clone of the repository."
        )
    sha, committed = result.stdout.split()
    return Commit(sha=sha, time=datetime.fromisoformat(committed).astimezone(UTC).isoformat())


def commits_since(root: Path, live_sha: str, head: Commit) -> list[Commit]:
    """The commits a deploy of `head` ships: those after the live commit, each with its time.

    DORA's lead time is per commit. With no live commit (a first deploy) or one this checkout
    does not descend from, only `head` can be vouched for.
    """
    if live_sha == head.sha:
        return []
    if not live_sha:
        return [head]
    result = _git(root, "log", "--format=%H %cI", f"{live_sha}..{head.sha}")
    if result.returncode != 0 or _git(root, "merge-base", "--is-ancestor", live_sha, head.sha).returncode:
        return [head]
    return [
        Commit(sha=sha, time=datetime.fromisoformat(committed).astimezone(UTC).isoformat())
        for sha, committed in (line.split() for line in result.stdout.splitlines())
    ]


def require_releasable(root: Path) -> None:
    """Prod runs only reviewed code: a clean tree at a commit that main contains."""
    dirty = _git(root, "status", "--porcelain", "--untracked-files=no").stdout.strip()
    if dirty:
        first = dirty.splitlines()[0].strip()
        raise DeployError(
            f"The working tree has uncommitted changes ({first} ...): prod deploys only committed "
            "code; commit or stash them."
        )
    for ref in MAIN_REFS:
        if _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode == 0:
            if _git(root, "merge-base", "--is-ancestor", "HEAD", ref).returncode != 0:
                raise DeployError(
                    f"HEAD is not on {ref}: prod deploys only commits merged to main; merge your "
                    "pull request and deploy from main."
                )
            return
    raise DeployError("No main branch in this checkout: fetch it (`git fetch origin main`) and retry.")
