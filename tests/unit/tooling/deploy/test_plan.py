"""The plan: what a deployment would change, rendered for a human, with nothing uploaded."""

from __future__ import annotations

from tests.unit.tooling.deploy.stubs import COMMIT, deployer, expect_get


def test_dry_run_prints_the_plan_and_uploads_nothing(target, s3, mwaa, repo):
    client, stubber = mwaa
    expect_get(stubber, target)
    lines: list[str] = []

    assert deployer(target, s3, client, repo, out=lines.append).deploy(COMMIT, dry_run=True) is None

    text = "\n".join(lines)
    assert "+ dags/orders_nightly.py" in text
    assert "requirements:  changed" in text
    assert "update needed" in text
    assert s3.list_objects_v2(Bucket=target.dags_bucket).get("KeyCount") == 0
    assert s3.list_objects_v2(Bucket=target.artifacts_bucket).get("KeyCount") == 0
