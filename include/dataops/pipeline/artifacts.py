"""The artifacts bucket: where a run keeps what it did (dbt's run results, GX results and Data Docs,
the publish marker, the run summary and record, dbt docs, the run history).

A run that cannot write there must never leave the consumer schema ahead of its record, so the
order is fixed: prepare_audit checks the bucket before dbt builds (the gate cannot pass without
the run results dbt uploads there), and publish writes its intent before the swap and the marker
after it (include/dataops/pipeline/orders.py). Every error names the bucket and what to do.
"""

from __future__ import annotations

import json
from typing import Any

from include.dataops.settings import Settings


class ArtifactsError(RuntimeError):
    """The artifacts bucket refused a read or a write; the message says what to do, in one line."""


def _reason(err: Exception) -> str:
    """The S3 error code (NoSuchBucket, AccessDenied), or the client error's kind."""
    code = getattr(err, "response", {}).get("Error", {}).get("Code")
    return str(code) if code else type(err).__name__


def _fix(bucket: str, task: str) -> str:
    return (
        f"create it (make bootstrap locally, infra/terraform in the cloud), or fix buckets.artifacts "
        f"or the role's s3 grants on {bucket}, then clear the run from {task}."
    )


def require_bucket(settings: Settings, task: str) -> None:
    """Fail unless the artifacts bucket answers a listing (s3:ListBucket): before anything is built.

    ListObjectsV2 rather than HeadBucket: the same IAM action, and a refusal says why (moto 5.2.5
    also authorizes HeadBucket as an `s3:HeadBucket` action that does not exist in IAM).
    """
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook
    from botocore.exceptions import BotoCoreError, ClientError

    bucket = settings.buckets.artifacts
    try:
        S3Hook(aws_conn_id=settings.aws_conn_id).get_conn().list_objects_v2(Bucket=bucket, MaxKeys=1)
    except (BotoCoreError, ClientError) as err:
        raise ArtifactsError(
            f"artifacts bucket {bucket} cannot be listed ({_reason(err)}): {_fix(bucket, task)}"
        ) from None


def put_json(settings: Settings, key: str, payload: dict[str, Any], task: str) -> str:
    """Write one JSON artifact; returns its s3:// URI. A refusal raises ArtifactsError naming the bucket."""
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook
    from botocore.exceptions import BotoCoreError, ClientError

    bucket = settings.buckets.artifacts
    try:
        S3Hook(aws_conn_id=settings.aws_conn_id).load_string(
            json.dumps(payload, default=str, indent=2), key=key, bucket_name=bucket, replace=True
        )
    except (BotoCoreError, ClientError) as err:
        raise ArtifactsError(
            f"artifacts bucket {bucket} refused {key} ({_reason(err)}): {_fix(bucket, task)}"
        ) from None
    return f"s3://{bucket}/{key}"
