"""What a deployment would change, from the new bundle and what the environment runs now.

Unchanged means the stored bytes match (the MD5 ETag, or the sha256 we store as metadata where a
multipart ETag is no MD5), so redeploying the same tree uploads nothing and, above all, skips the
20-30 minute MWAA environment update unless plugins.zip, requirements.txt or startup.sh changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from tooling.deploy.bundle import GLUE_PREFIX, Artifact, Bundle
from tooling.deploy.types import PINNED, Target


@dataclass
class Plan:
    dag_prefix: str
    dag_uploads: list[Artifact] = field(default_factory=list)
    dag_deletes: list[str] = field(default_factory=list)
    dags_unchanged: int = 0
    file_uploads: dict[str, Artifact] = field(default_factory=dict)  # pinned name -> artifact
    file_keys: dict[str, str] = field(default_factory=dict)  # pinned name -> key in the bucket
    glue_uploads: list[Artifact] = field(default_factory=list)
    glue_unchanged: int = 0

    @property
    def environment_update(self) -> bool:
        return bool(self.file_uploads)

    def changes(self) -> dict[str, list[str]]:
        return {
            "uploaded": sorted(self.dag_prefix + a.key for a in self.dag_uploads)
            + sorted(self.file_keys[name] for name in self.file_uploads),
            "deleted": sorted(self.dag_deletes),
            "glue_scripts": sorted(a.key for a in self.glue_uploads),
        }

    def render(self, target: Target) -> str:
        lines = [
            f"plan for {target.environment}: MWAA {target.mwaa_environment}, "
            f"s3://{target.dags_bucket}/{self.dag_prefix}",
            f"  dags:          {len(self.dag_uploads)} to upload, {len(self.dag_deletes)} to delete, "
            f"{self.dags_unchanged} unchanged",
        ]
        lines += [f"    + {self.dag_prefix}{a.key}" for a in self.dag_uploads]
        lines += [f"    - {key}" for key in self.dag_deletes]
        for name in PINNED:
            state = "changed" if name in self.file_uploads else "unchanged"
            lines.append(f"  {name + ':':<14} {state} ({self.file_keys[name]})")
        lines.append(
            "  environment:   "
            + ("update needed (MWAA takes 20-30 minutes)" if self.environment_update else "no update needed")
        )
        lines.append(
            f"  glue scripts:  {len(self.glue_uploads)} to upload, {self.glue_unchanged} unchanged "
            f"(s3://{target.scripts_bucket}/)"
        )
        lines += [f"    + {a.key}" for a in self.glue_uploads]
        return "\n".join(lines)


def dag_prefix(environment: dict[str, Any]) -> str:
    """The prefix MWAA syncs into its dags folder (the environment's DagS3Path)."""
    return (environment.get("DagS3Path") or "dags").strip("/") + "/"


def pinned(environment: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The key and object version of each pinned file the environment points at ("" if none)."""
    return {
        name: {
            "key": environment.get(path_field) or default_key,
            "version": environment.get(version_field) or "",
        }
        for name, (path_field, version_field, default_key) in PINNED.items()
    }


def latest_versions(s3: Any, bucket: str, prefix: str) -> dict[str, dict[str, str]]:
    """Latest version of every live object under the prefix: key -> {VersionId, ETag}."""
    latest: dict[str, dict[str, str]] = {}
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Versions", []):
            if item["IsLatest"]:
                latest[item["Key"]] = {"VersionId": item["VersionId"], "ETag": item["ETag"].strip('"')}
    return latest


def _etags(s3: Any, bucket: str, prefix: str) -> dict[str, str]:
    found = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            found[item["Key"]] = item["ETag"].strip('"')
    return found


def _same(s3: Any, bucket: str, artifact: Artifact, key: str, etag: str | None, version: str = "") -> bool:
    """Unchanged when the stored MD5 ETag or our sha256 metadata matches the new bytes."""
    if etag == artifact.md5:
        return True
    try:
        head = s3.head_object(Bucket=bucket, Key=key, **({"VersionId": version} if version else {}))
    except ClientError:
        return False
    return (
        head.get("ETag", "").strip('"') == artifact.md5
        or head.get("Metadata", {}).get("sha256") == artifact.sha256
    )


def plan_deployment(s3: Any, target: Target, bundle: Bundle, environment: dict[str, Any]) -> Plan:
    """Compare the bundle with the DAG prefix, the pinned files and the Glue scripts live now."""
    prefix = dag_prefix(environment)
    plan = Plan(dag_prefix=prefix)
    latest = latest_versions(s3, target.dags_bucket, prefix)
    for artifact in bundle.dags.values():
        key = prefix + artifact.key
        current = latest.get(key)
        if current and _same(s3, target.dags_bucket, artifact, key, current["ETag"]):
            plan.dags_unchanged += 1
        else:
            plan.dag_uploads.append(artifact)
    wanted = {prefix + key for key in bundle.dags}
    plan.dag_deletes = sorted(key for key in latest if key not in wanted)
    for name, pin in pinned(environment).items():
        artifact = bundle.environment_files[name]
        plan.file_keys[name] = pin["key"]
        if not (pin["version"] and _same(s3, target.dags_bucket, artifact, pin["key"], None, pin["version"])):
            plan.file_uploads[name] = artifact
    scripts = _etags(s3, target.scripts_bucket, GLUE_PREFIX)
    for artifact in bundle.glue_scripts.values():
        if artifact.key in scripts and _same(
            s3, target.scripts_bucket, artifact, artifact.key, scripts[artifact.key]
        ):
            plan.glue_unchanged += 1
        else:
            plan.glue_uploads.append(artifact)
    return plan
