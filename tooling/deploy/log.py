"""The deployment log: one JSON object per deployment or rollback in the artifacts bucket.

Append-only by construction: each record gets a fresh key under `deployments/<env>/` (sortable by
start time) and is written with `If-None-Match: *`, so S3 itself refuses to overwrite a record.
A record holds what rollback needs (the object versions live before and after) and what the four
DORA metrics need (the commits shipped, end time, result, what changed;
include/dataops/observability/dora.py).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from include.dataops.observability.dora import is_live
from include.dataops.observability.run_history import DEPLOYMENTS_PREFIX as LOG_PREFIX

SUCCEEDED, FAILED = "succeeded", "failed"
DEPLOY, ROLLBACK = "deploy", "rollback"


class LogError(RuntimeError):
    """The deployment log cannot be read or written; the message says why, in one line."""


@dataclass
class State:
    """What an environment runs: the DAG prefix's object versions and the pinned file versions."""

    dags: dict[str, str] = field(default_factory=dict)  # S3 key -> version id
    files: dict[str, dict[str, str]] = field(default_factory=dict)  # plugins|... -> {key, version}

    @classmethod
    def from_json(cls, raw: dict[str, Any] | None) -> State:
        raw = raw or {}
        return cls(
            dags=dict(raw.get("dags", {})), files={k: dict(v) for k, v in raw.get("files", {}).items()}
        )


@dataclass
class Record:
    environment: str
    kind: str
    commit: str
    commit_time: str
    started_at: str
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    finished_at: str = ""
    result: str = ""
    error: str = ""
    previous: State = field(default_factory=State)
    deployed: State = field(default_factory=State)
    changes: dict[str, list[str]] = field(default_factory=dict)
    restores: str = ""  # for a rollback: the id of the deployment whose previous state it restored
    commits: list[dict[str, str]] = field(default_factory=list)  # {sha, time} of each commit shipped

    @property
    def live(self) -> bool:
        """It changed what runs: a deploy that succeeded and uploaded or deleted something."""
        return is_live(asdict(self))

    @property
    def key(self) -> str:
        stamp = self.started_at[:19].replace("-", "").replace(":", "")
        return f"{LOG_PREFIX}{self.environment}/{stamp}Z-{self.id}.json"

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Record:
        values = {k: raw[k] for k in cls.__dataclass_fields__ if k in raw}
        values["previous"] = State.from_json(raw.get("previous"))
        values["deployed"] = State.from_json(raw.get("deployed"))
        return cls(**values)


def append(s3: Any, bucket: str, record: Record) -> str:
    """Write one record under a new key; S3 refuses if the key exists, so history is never rewritten."""
    try:
        s3.put_object(
            Bucket=bucket,
            Key=record.key,
            Body=record.to_json().encode(),
            ContentType="application/json",
            IfNoneMatch="*",
        )
    except ClientError as exc:
        raise LogError(
            f"Could not append deployment record {record.key} to s3://{bucket}: "
            f"{exc.response['Error'].get('Message', exc)}; check the artifacts bucket and your access."
        ) from None
    return record.key


def read(s3: Any, bucket: str, environment: str) -> list[Record]:
    """Every record of one environment, oldest first."""
    records = []
    try:
        pages = s3.get_paginator("list_objects_v2").paginate(
            Bucket=bucket, Prefix=f"{LOG_PREFIX}{environment}/"
        )
        for page in pages:
            for item in page.get("Contents", []):
                body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
                records.append(Record.from_json(json.loads(body)))
    except ClientError as exc:
        raise LogError(
            f"Could not read the deployment log in s3://{bucket}/{LOG_PREFIX}{environment}/: "
            f"{exc.response['Error'].get('Message', exc)}; check the bucket name and your access."
        ) from None
    return sorted(records, key=lambda r: (r.started_at, r.key))


def last_live_commit(s3: Any, bucket: str, environment: str) -> str:
    """The commit of the environment's last deploy that went live, or "" before the first."""
    live = [r for r in read(s3, bucket, environment) if r.live]
    return live[-1].commit if live else ""
