"""Release checks: the environment's names, the commit shipped, and what prod refuses."""

from __future__ import annotations

import pytest

from tests.unit.tooling.deploy.test_bundle import git
from tooling.deploy.checks import commits_since, current_commit, require_releasable, target_for
from tooling.deploy.types import DeployError


def test_target_names_follow_the_convention_and_the_settings():
    target = target_for("prod")

    assert (target.mwaa_environment, target.dags_bucket) == ("dataops-prod", "airflow-dataops-prod")
    assert (target.artifacts_bucket, target.scripts_bucket) == (
        "dataops-prod-artifacts",
        "dataops-prod-scripts",
    )
    assert target_for("staging", dags_bucket="other").dags_bucket == "other"


def test_prod_refuses_a_dirty_tree(repo):
    (repo / "dags/orders_nightly.py").write_text("# edited, not committed\n")

    with pytest.raises(DeployError, match=r"uncommitted changes.*commit or stash"):
        require_releasable(repo)


def test_prod_refuses_a_commit_that_is_not_on_main(repo):
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "dags/orders_nightly.py").write_text("# feature\n")
    git(repo, "commit", "-q", "-am", "feature work")

    with pytest.raises(DeployError, match="HEAD is not on main: prod deploys only commits merged to main"):
        require_releasable(repo)
    git(repo, "checkout", "-q", "main")
    require_releasable(repo)


def test_the_commit_and_its_time_come_from_git(repo):
    commit = current_commit(repo)

    assert commit.sha == git(repo, "rev-parse", "HEAD").strip()
    assert commit.time.endswith("+00:00")


def test_a_deploy_ships_every_commit_after_the_live_one_each_with_its_time(repo):
    live = current_commit(repo)
    for n in (1, 2):
        (repo / "dags/orders_nightly.py").write_text(f"# change {n}\n")
        git(repo, "commit", "-q", "-am", f"change {n}")
    head = current_commit(repo)

    shipped = commits_since(repo, live.sha, head)

    assert len(shipped) == 2 and shipped[0].sha == head.sha
    assert live.sha not in {c.sha for c in shipped}
    assert all(c.time for c in shipped)
    assert commits_since(repo, "", head) == [head]  # a first deploy vouches for its head only
    assert commits_since(repo, head.sha, head) == []  # a redeploy ships no new commit
