"""The dbt_docs task generates docs only when the artifacts bucket holds none for the shipped manifest.

The bucket is the moto server's; dbt itself is replaced by a stand-in that writes the three files
`dbt docs generate` writes and hands them to the operator's real upload.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
import pytest
from airflow.providers.amazon.aws.hooks.s3 import S3Hook

from include.dataops.observability.dbt_docs import (
    DBT_DOCS_PREFIX,
    DOCS_MANIFEST_KEY,
    dbt_docs_task,
    manifest_digest,
)
from include.dataops.settings import Settings


@pytest.fixture
def docs_task(settings: Settings, aws_endpoint: str, tmp_path: Path) -> tuple[Any, Any, list[str]]:
    """The DAG's task on a bucket of its own; `generated` records each dbt invocation."""
    bucket = f"dbt-docs-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client("s3", endpoint_url=aws_endpoint, region_name=settings.aws_region)
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": settings.aws_region})
    task = dbt_docs_task(replace(settings, buckets=replace(settings.buckets, artifacts=bucket)))
    generated: list[str] = []

    def fake_dbt(context: Any, cmd_flags: list[str], **_: Any) -> None:
        project = tmp_path / f"project-{len(generated)}"
        (project / "target").mkdir(parents=True)
        for name in task.required_files:
            (project / "target" / name).write_text(f"{name} of run {len(generated)}")
        generated.append(str(project))
        task.upload_to_cloud_storage(str(project))

    task.build_and_run_cmd = fake_dbt
    return task, s3, generated


def _read(s3: Any, task: Any, key: str) -> bytes:
    return s3.get_object(Bucket=task.bucket_name, Key=key)["Body"].read()


def test_the_first_run_generates_and_uploads_the_docs_then_the_manifests_digest(docs_task) -> None:
    task, s3, generated = docs_task
    task.execute(context={})
    assert len(generated) == 1
    assert _read(s3, task, f"{DBT_DOCS_PREFIX}/catalog.json") == b"catalog.json of run 0"
    assert _read(s3, task, DOCS_MANIFEST_KEY).decode() == manifest_digest()


def test_a_run_with_the_same_manifest_keeps_the_docs_and_says_so(docs_task, caplog) -> None:
    task, s3, generated = docs_task
    task.execute(context={})
    with caplog.at_level(logging.INFO):
        task.execute(context={})
    assert len(generated) == 1
    assert "are for this manifest" in caplog.text and "not regenerated" in caplog.text
    assert _read(s3, task, f"{DBT_DOCS_PREFIX}/catalog.json") == b"catalog.json of run 0"


def test_a_changed_manifest_regenerates_the_docs(docs_task) -> None:
    task, s3, generated = docs_task
    s3.put_object(Bucket=task.bucket_name, Key=DOCS_MANIFEST_KEY, Body=b"digest of an older manifest")
    task.execute(context={})
    assert len(generated) == 1
    assert _read(s3, task, f"{DBT_DOCS_PREFIX}/catalog.json") == b"catalog.json of run 0"
    assert _read(s3, task, DOCS_MANIFEST_KEY).decode() == manifest_digest()


def test_a_failed_upload_leaves_no_digest_so_the_next_run_generates_again(docs_task, monkeypatch) -> None:
    task, s3, generated = docs_task

    def failing_upload(*_: Any, **__: Any) -> None:
        raise OSError("S3 unreachable")

    monkeypatch.setattr(S3Hook, "load_file", failing_upload)
    with pytest.raises(OSError, match="S3 unreachable"):
        task.execute(context={})
    monkeypatch.undo()
    assert s3.list_objects_v2(Bucket=task.bucket_name).get("KeyCount") == 0
    task.execute(context={})
    assert len(generated) == 2
