"""The smoke DAG's check: settings load and the artifacts bucket answers through aws_default."""

from __future__ import annotations

from airflow.providers.amazon.aws.hooks.s3 import S3Hook

from include.dataops.settings import load_settings


def check_platform() -> dict[str, str]:
    settings = load_settings()
    hook = S3Hook(aws_conn_id=settings.aws_conn_id)
    if not hook.check_for_bucket(settings.buckets.artifacts):
        raise RuntimeError(
            f"Bucket {settings.buckets.artifacts} does not exist: run `make bootstrap` locally, "
            "or apply infra/terraform in the cloud."
        )
    return {"environment": settings.environment, "artifacts_bucket": settings.buckets.artifacts}
