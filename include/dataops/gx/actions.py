"""Checkpoint actions: publish the run's results and Data Docs to the artifacts bucket; tidy up.

GX 1.x has no action that writes results to S3 through an Airflow connection, so this one does,
with the amazon provider's S3Hook: each suite's full result, a ``GxResult`` summary the quality
gate reads, and the Data Docs site built by the UpdateDataDocsAction that runs before it.
"""

from __future__ import annotations

import json
import mimetypes
import shutil
from pathlib import Path
from typing import Literal

from great_expectations.checkpoint.actions import ActionContext, ValidationAction
from great_expectations.checkpoint.checkpoint import CheckpointResult

from include.dataops.gx.results import DOCS_PREFIX, GxLocations, GxResult


class PublishArtifactsAction(ValidationAction):
    type: Literal["dataops_publish_artifacts"] = "dataops_publish_artifacts"
    bucket: str
    aws_conn_id: str
    run_date: str
    docs_dir: str

    def run(self, checkpoint_result: CheckpointResult, action_context: ActionContext | None = None) -> dict:
        from airflow.providers.amazon.aws.hooks.s3 import S3Hook

        hook = S3Hook(aws_conn_id=self.aws_conn_id)
        locations = GxLocations(self.bucket, self.run_date)
        result_uris = {}
        for suite_result in checkpoint_result.run_results.values():
            key = locations.result_key(suite_result.suite_name)
            hook.load_string(json.dumps(suite_result.to_json_dict()), key, self.bucket, replace=True)
            result_uris[suite_result.suite_name] = locations.uri(key)
        docs_root = Path(self.docs_dir)
        client = hook.get_conn()
        for path in sorted(p for p in docs_root.rglob("*") if p.is_file()):
            key = f"{DOCS_PREFIX}/{path.relative_to(docs_root).as_posix()}"
            # A content type, so the pages render when served from the bucket rather than download.
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            client.upload_file(str(path), self.bucket, key, ExtraArgs={"ContentType": content_type})
        summary = GxResult.from_checkpoint_result(
            checkpoint_result,
            self.run_date,
            result_uris=result_uris,
            docs_uri=locations.docs_uri,
            docs_local=str(docs_root / "index.html"),
        )
        hook.load_string(json.dumps(summary.to_dict()), locations.summary_key, self.bucket, replace=True)
        return {"summary_uri": locations.uri(locations.summary_key), "docs_uri": locations.docs_uri}


class RemoveFramesAction(ValidationAction):
    """Delete the parquet copies the checkpoint validated: they are a day of order data on a worker."""

    type: Literal["dataops_remove_frames"] = "dataops_remove_frames"
    frames_dir: str

    def run(self, checkpoint_result: CheckpointResult, action_context: ActionContext | None = None) -> dict:
        shutil.rmtree(self.frames_dir, ignore_errors=True)
        return {"removed": self.frames_dir}
