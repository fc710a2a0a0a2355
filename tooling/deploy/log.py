"""The deployment log: one JSON object per deployment in the artifacts bucket, and DORA metrics from it.

Append-only by construction: each record gets a fresh key under `deployments/<env>/` (sortable by
start time) and is written with `If-None-Match: *`, so S3 itself refuses to overwrite a record.
A record holds what rollback needs (the object versions live before and after) and what the four
DORA metrics need (commit time, start and end time, result).
"""

from __future__ import annotations

import json
import statistics
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

LOG_PREFIX = "deployments/"
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


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _hours(delta: timedelta) -> float:
    return round(delta.total_seconds() / 3600, 2)


def dora(records: list[Record], now: datetime, days: int = 30) -> dict[str, Any]:
    """The four DORA metrics over the last `days` days of one environment's log.

    A change failed if its deployment failed or the next successful record undid it (a rollback).
    Time to restore runs from a failed change's end to the next successful deployment or rollback.
    """
    since = now - timedelta(days=days)
    window = [r for r in records if r.finished_at and _time(r.finished_at) >= since]
    deploys = [r for r in window if r.kind == DEPLOY]
    succeeded = [r for r in deploys if r.result == SUCCEEDED]
    ordered = sorted(window, key=lambda r: r.finished_at)
    failures, restore_hours = 0, []
    for index, record in enumerate(ordered):
        if record.kind != DEPLOY:
            continue
        later = [r for r in ordered[index + 1 :] if r.result == SUCCEEDED]
        rolled_back = bool(later) and later[0].kind == ROLLBACK
        if record.result == FAILED or rolled_back:
            failures += 1
            if later:
                restore_hours.append(_hours(_time(later[0].finished_at) - _time(record.finished_at)))
    lead_times = [_hours(_time(r.finished_at) - _time(r.commit_time)) for r in succeeded if r.commit_time]
    return {
        "window_days": days,
        "deployments": len(deploys),
        "deployment_frequency_per_day": round(len(succeeded) / days, 3),
        "lead_time_hours_median": statistics.median(lead_times) if lead_times else None,
        "change_failure_rate": round(failures / len(deploys), 3) if deploys else None,
        "time_to_restore_hours_mean": round(statistics.mean(restore_hours), 2) if restore_hours else None,
    }
