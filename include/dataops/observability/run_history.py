"""The pipeline's run history: one JSON object per incident or publish in the artifacts bucket.

DORA's time to restore and change failure rate need to know when data broke and when it was
whole again, which neither Airflow's metadata DB (gone with the MWAA environment) nor CloudWatch
(aggregated) keeps. So the task callbacks (include/dataops/airflow/defaults.py) append an event
here: a run failed, the gate failed, or the marts were published. Append-only like the
deployment log: a fresh key per event, written with `If-None-Match: *`.
Standard library only, so the callbacks, the deploy tool and DORA can all import it.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

HISTORY_PREFIX = "runs/history/"
DEPLOYMENTS_PREFIX = "deployments/"  # the deployment log's (tooling/deploy/log.py)
RUN_FAILED, GATE_FAILED, DATA_STALE, PUBLISHED = "run_failed", "gate_failed", "data_stale", "published"
INCIDENTS = (RUN_FAILED, GATE_FAILED, DATA_STALE)


@dataclass(frozen=True)
class RunEvent:
    environment: str
    kind: str  # one of INCIDENTS or PUBLISHED
    at: str  # ISO 8601, UTC
    dag_id: str = ""
    run_id: str = ""
    detail: str = ""  # the failed task, or the stale table
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])

    @property
    def key(self) -> str:
        stamp = self.at[:19].replace("-", "").replace(":", "")
        return f"{HISTORY_PREFIX}{self.environment}/{stamp}Z-{self.kind}-{self.id}.json"

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> RunEvent:
        return cls(**{k: str(raw[k]) for k in cls.__dataclass_fields__ if k in raw})


def append(s3: Any, bucket: str, event: RunEvent) -> str:
    """Write one event under a new key; S3 refuses an existing key, so history is never rewritten."""
    s3.put_object(
        Bucket=bucket,
        Key=event.key,
        Body=json.dumps(asdict(event), sort_keys=True).encode(),
        ContentType="application/json",
        IfNoneMatch="*",
    )
    return event.key


def read_json_objects(s3: Any, bucket: str, prefix: str) -> list[dict[str, Any]]:
    """Every JSON object under a prefix, in key order (both logs' keys sort by time)."""
    found = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            found.append(
                (item["Key"], json.loads(s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()))
            )
    return [body for _, body in sorted(found, key=lambda pair: pair[0])]


def read(s3: Any, bucket: str, environment: str) -> list[RunEvent]:
    """Every event of one environment, oldest first."""
    raw = read_json_objects(s3, bucket, f"{HISTORY_PREFIX}{environment}/")
    return sorted((RunEvent.from_json(r) for r in raw), key=lambda e: e.at)
