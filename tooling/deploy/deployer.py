"""Ship the repository to Amazon MWAA, roll it back, smoke-test it, and measure delivery (DORA).

    python -m tooling.deploy deploy   --env staging|prod [--dry-run]
    python -m tooling.deploy plan     --env X            (the same as deploy --dry-run)
    python -m tooling.deploy rollback --env X [--to DEPLOYMENT_ID]
    python -m tooling.deploy smoke    --env X --dag orders_nightly [--gate-task quality_gate]
    python -m tooling.deploy dora     --env X [--days 30]
    python -m tooling.deploy notify   --env X --subject S --message M
    python -m tooling.deploy build    --out dist/mwaa

Names come from the settings, overridable per flag: MWAA environment `dataops-<env>`, its source
bucket `airflow-dataops-<env>` (versioned; DAGs under the environment's DagS3Path), the deployment log
and the Glue scripts in the settings' artifacts and scripts buckets. boto3 honours
AWS_ENDPOINT_URL, so the same code runs against the local emulator in tests.

A deployment uploads only what changed, and touches the MWAA environment (a 20-30 minute update)
only when plugins.zip, requirements.txt or startup.sh changed. DAG files go up only once the
environment is AVAILABLE on the new versions; if the scheduler then reports import errors, the
previous object versions are put back. Every deployment and rollback, successful or not, is one
record in the append-only log (tooling/deploy/log.py).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from include.dataops.settings import REPO_ROOT, SettingsError, load_settings
from tooling.deploy import log as deploy_log
from tooling.deploy.bundle import Artifact, BuildError, Bundle, build_bundle, write_bundle
from tooling.deploy.log import DEPLOY, FAILED, ROLLBACK, SUCCEEDED, LogError, Record, State

CLOUD_ENVIRONMENTS = ("dev", "staging", "prod")
RELEASE_ENVIRONMENTS = ("prod",)
MAIN_REFS = ("origin/main", "main")
# The files MWAA pins by object version: our name -> (path field, version field, default key).
PINNED = {
    "plugins": ("PluginsS3Path", "PluginsS3ObjectVersion", "plugins.zip"),
    "requirements": ("RequirementsS3Path", "RequirementsS3ObjectVersion", "requirements.txt"),
    "startup": ("StartupScriptS3Path", "StartupScriptS3ObjectVersion", "startup.sh"),
}
FINISHED_RUN_STATES = ("success", "failed")


class DeployError(RuntimeError):
    """A deployment problem a user can act on; the message says what and how, in one line."""


@dataclass(frozen=True)
class Target:
    """Where one environment lives in AWS."""

    environment: str
    region: str
    mwaa_environment: str
    dags_bucket: str
    artifacts_bucket: str
    scripts_bucket: str
    notifications_topic_arn: str


def target_for(environment: str, **overrides: str | None) -> Target:
    """The environment's names by convention and settings; a non-empty override wins."""
    if environment not in CLOUD_ENVIRONMENTS:
        raise DeployError(
            f"Unknown environment {environment!r}: deploy to one of {', '.join(CLOUD_ENVIRONMENTS)} "
            "(the local environment runs with `make run`)."
        )
    settings = load_settings(environment)
    names = {
        "mwaa_environment": settings.mwaa.environment,
        "dags_bucket": settings.buckets.mwaa,
        "artifacts_bucket": settings.buckets.artifacts,
        "scripts_bucket": settings.buckets.scripts,
    }
    names.update({k: v for k, v in overrides.items() if v})
    return Target(
        environment=environment,
        region=settings.aws_region,
        notifications_topic_arn=settings.notifications_topic_arn,
        **names,
    )


# ---------------------------------------------------------------- git


@dataclass(frozen=True)
class Commit:
    sha: str
    time: str


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    except OSError as exc:
        raise DeployError(f"git is not available ({exc}): install git and deploy from a checkout.") from None


def current_commit(root: Path) -> Commit:
    result = _git(root, "show", "-s", "--format=%H %cI", "HEAD")
    if result.returncode != 0:
        raise DeployError(
            f"{root} is not a git checkout with a commit: deploy from a clone of the repository."
        )
    sha, committed = result.stdout.split()
    return Commit(sha=sha, time=datetime.fromisoformat(committed).astimezone(UTC).isoformat())


def require_releasable(root: Path) -> None:
    """Prod runs only reviewed code: a clean tree at a commit that main contains."""
    dirty = _git(root, "status", "--porcelain", "--untracked-files=no").stdout.strip()
    if dirty:
        first = dirty.splitlines()[0].strip()
        raise DeployError(
            f"The working tree has uncommitted changes ({first} ...): prod deploys only committed "
            "code; commit or stash them."
        )
    for ref in MAIN_REFS:
        if _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode == 0:
            if _git(root, "merge-base", "--is-ancestor", "HEAD", ref).returncode != 0:
                raise DeployError(
                    f"HEAD is not on {ref}: prod deploys only commits merged to main; merge your "
                    "pull request and deploy from main."
                )
            return
    raise DeployError("No main branch in this checkout: fetch it (`git fetch origin main`) and retry.")


# ---------------------------------------------------------------- the plan


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


# ---------------------------------------------------------------- the deployer


def _error_message(exc: ClientError) -> str:
    error = exc.response.get("Error", {})
    return f"{error.get('Code', 'Error')}: {error.get('Message', exc)}"


class Deployer:
    """Deploys one environment. Clients are parameters so tests hand in the emulator and stubs."""

    def __init__(
        self,
        target: Target,
        s3: Any,
        mwaa: Any,
        root: Path = REPO_ROOT,
        *,
        out: Callable[[str], None] = print,
        poll_seconds: float = 30.0,
        available_timeout: float = 3600.0,
        settle_seconds: float = 90.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.target, self.s3, self.mwaa, self.root, self.out = target, s3, mwaa, root, out
        self.poll_seconds, self.available_timeout = poll_seconds, available_timeout
        self.settle_seconds, self.sleep, self.clock = settle_seconds, sleep, clock

    # -- checks

    def check_buckets(self) -> None:
        """Fail before changing anything when a bucket is missing or MWAA's is not versioned."""
        for bucket, flag in (
            (self.target.dags_bucket, "--dags-bucket"),
            (self.target.artifacts_bucket, "--artifacts-bucket"),
            (self.target.scripts_bucket, "--scripts-bucket"),
        ):
            try:
                self.s3.head_bucket(Bucket=bucket)
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code")
                if code in ("404", "NoSuchBucket"):
                    raise DeployError(
                        f"Bucket {bucket} does not exist: create it with Terraform "
                        f"(infra/terraform/envs/{self.target.environment}) or name another with {flag}."
                    ) from None
                raise DeployError(
                    f"Cannot reach bucket {bucket} ({_error_message(exc)}): check access."
                ) from None
        status = self.s3.get_bucket_versioning(Bucket=self.target.dags_bucket).get("Status")
        if status != "Enabled":
            raise DeployError(
                f"Bucket {self.target.dags_bucket} has versioning {status or 'never enabled'}: MWAA pins "
                "plugins and requirements by object version and rollback needs them; enable versioning."
            )

    def describe(self) -> dict[str, Any]:
        try:
            return self.mwaa.get_environment(Name=self.target.mwaa_environment)["Environment"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                raise DeployError(
                    f"MWAA environment {self.target.mwaa_environment} does not exist in "
                    f"{self.target.region}: create it with Terraform or name another with --mwaa-environment."
                ) from None
            raise DeployError(
                f"Cannot read MWAA environment {self.target.mwaa_environment} ({_error_message(exc)})."
            ) from None

    def require_available(self, environment: dict[str, Any]) -> None:
        status = environment.get("Status")
        if status not in ("AVAILABLE", "UPDATE_FAILED"):
            raise DeployError(
                f"MWAA environment {self.target.mwaa_environment} is {status}: wait until it is AVAILABLE, "
                "then rerun."
            )

    # -- what is live

    @staticmethod
    def dag_prefix(environment: dict[str, Any]) -> str:
        return (environment.get("DagS3Path") or "dags").strip("/") + "/"

    def _latest(self, bucket: str, prefix: str) -> dict[str, dict[str, str]]:
        """Latest version of every live object under the prefix: key -> {VersionId, ETag}."""
        latest: dict[str, dict[str, str]] = {}
        for page in self.s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Versions", []):
                if item["IsLatest"]:
                    latest[item["Key"]] = {"VersionId": item["VersionId"], "ETag": item["ETag"].strip('"')}
        return latest

    def _pinned(self, environment: dict[str, Any]) -> dict[str, dict[str, str]]:
        pinned = {}
        for name, (path_field, version_field, default_key) in PINNED.items():
            pinned[name] = {
                "key": environment.get(path_field) or default_key,
                "version": environment.get(version_field) or "",
            }
        return pinned

    def live_state(self, environment: dict[str, Any]) -> State:
        files = {name: p for name, p in self._pinned(environment).items() if p["version"]}
        return State(dags=self.dag_versions(self.dag_prefix(environment)), files=files)

    def _same(self, bucket: str, artifact: Artifact, key: str, etag: str | None, version: str = "") -> bool:
        """Unchanged when the stored MD5 ETag or our sha256 metadata matches the new bytes."""
        if etag == artifact.md5:
            return True
        try:
            head = self.s3.head_object(Bucket=bucket, Key=key, **({"VersionId": version} if version else {}))
        except ClientError:
            return False
        return (
            head.get("ETag", "").strip('"') == artifact.md5
            or head.get("Metadata", {}).get("sha256") == artifact.sha256
        )

    def plan(self, bundle: Bundle, environment: dict[str, Any]) -> Plan:
        prefix = self.dag_prefix(environment)
        plan = Plan(dag_prefix=prefix)
        latest = self._latest(self.target.dags_bucket, prefix)
        for artifact in bundle.dags.values():
            key = prefix + artifact.key
            current = latest.get(key)
            if current and self._same(self.target.dags_bucket, artifact, key, current["ETag"]):
                plan.dags_unchanged += 1
            else:
                plan.dag_uploads.append(artifact)
        wanted = {prefix + key for key in bundle.dags}
        plan.dag_deletes = sorted(key for key in latest if key not in wanted)
        for name, pinned in self._pinned(environment).items():
            artifact = bundle.environment_files[name]
            plan.file_keys[name] = pinned["key"]
            if not (
                pinned["version"]
                and self._same(self.target.dags_bucket, artifact, pinned["key"], None, pinned["version"])
            ):
                plan.file_uploads[name] = artifact
        scripts = self._latest_plain(self.target.scripts_bucket, "glue/")
        for artifact in bundle.glue_scripts.values():
            if artifact.key in scripts and self._same(
                self.target.scripts_bucket, artifact, artifact.key, scripts[artifact.key]
            ):
                plan.glue_unchanged += 1
            else:
                plan.glue_uploads.append(artifact)
        return plan

    def _latest_plain(self, bucket: str, prefix: str) -> dict[str, str]:
        found = {}
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                found[item["Key"]] = item["ETag"].strip('"')
        return found

    # -- changing things

    def _put(self, bucket: str, key: str, artifact: Artifact) -> str:
        response = self.s3.put_object(
            Bucket=bucket, Key=key, Body=artifact.body, Metadata={"sha256": artifact.sha256}
        )
        return response.get("VersionId", "")

    def update_environment(self, pointers: dict[str, dict[str, str]]) -> None:
        """Point MWAA at new plugins/requirements/startup versions and wait until it runs them."""
        arguments: dict[str, str] = {"Name": self.target.mwaa_environment}
        for name, pointer in pointers.items():
            path_field, version_field, _ = PINNED[name]
            arguments[path_field] = pointer["key"]
            arguments[version_field] = pointer["version"]
        try:
            self.mwaa.update_environment(**arguments)
        except ClientError as exc:
            raise DeployError(
                f"MWAA rejected the update of {self.target.mwaa_environment} ({_error_message(exc)}): "
                "it still runs the previous versions; fix the cause and redeploy."
            ) from None
        self.wait_available()

    def wait_available(self) -> None:
        """Poll until AVAILABLE; the first look waits one interval so the update has begun."""
        deadline = self.clock() + self.available_timeout
        while True:
            self.sleep(self.poll_seconds)
            environment = self.describe()
            status = environment.get("Status")
            if status == "AVAILABLE":
                return
            if status == "UPDATE_FAILED":
                reason = (
                    environment.get("LastUpdate", {}).get("Error", {}).get("ErrorMessage", "no reason given")
                )
                raise DeployError(
                    f"MWAA could not apply the update to {self.target.mwaa_environment} ({reason}): it "
                    "rolled back to the previous versions; fix requirements.txt, plugins or startup.sh and "
                    "redeploy."
                )
            if self.clock() >= deadline:
                raise DeployError(
                    f"MWAA environment {self.target.mwaa_environment} still {status} after "
                    f"{self.available_timeout:.0f}s: no DAGs were uploaded, so the previous ones stay live; "
                    "watch it in the MWAA console and rerun the deploy once it is AVAILABLE."
                )

    def import_errors(self) -> list[dict[str, Any]]:
        """DAG import errors as the environment's scheduler reports them (MWAA InvokeRestApi)."""
        body = invoke_airflow(self.mwaa, self.target.mwaa_environment, "GET", "/importErrors")
        return list(body.get("import_errors", []))

    def dag_versions(self, prefix: str) -> dict[str, str]:
        return {key: v["VersionId"] for key, v in self._latest(self.target.dags_bucket, prefix).items()}

    def restore(self, to: State, prefix: str, pins: dict[str, dict[str, str]]) -> State:
        """Make `to` live again: old DAG versions copied back on top, new files deleted, pins re-pointed.

        `pins` is what the environment points at now; it is updated in place as MWAA accepts changes.
        """
        bucket = self.target.dags_bucket
        live = self.dag_versions(prefix)
        for key, version in sorted(to.dags.items()):
            if live.get(key) != version:
                self.s3.copy_object(
                    Bucket=bucket, Key=key, CopySource={"Bucket": bucket, "Key": key, "VersionId": version}
                )
        for key in sorted(set(live) - set(to.dags)):
            self.s3.delete_object(Bucket=bucket, Key=key)
        pointers = {name: pin for name, pin in to.files.items() if pins.get(name) != pin}
        if pointers:
            self.update_environment(pointers)
            pins.update(pointers)
        return State(dags=self.dag_versions(prefix), files=dict(pins))

    def deploy(self, commit: Commit, dry_run: bool = False) -> Record | None:
        """Upload what changed, update MWAA only if pinned files changed, verify, record."""
        started = _now()
        self.check_buckets()
        environment = self.describe()
        self.require_available(environment)
        plan = self.plan(build_bundle(self.root), environment)
        self.out(plan.render(self.target))
        if dry_run:
            self.out("dry run: nothing uploaded")
            return None
        previous = self.live_state(environment)
        pins = dict(previous.files)
        record = Record(self.target.environment, DEPLOY, commit.sha, commit.time, started, previous=previous)
        record.changes = plan.changes()
        try:
            self._apply(plan, previous, pins)
            record.result = SUCCEEDED
        except Exception as exc:  # recorded as failed whatever the cause, then re-raised
            record.result, record.error = FAILED, str(exc)
            raise
        finally:
            record.deployed = State(dags=self.dag_versions(plan.dag_prefix), files=pins)
            self._append(record)
        return record

    def _append(self, record: Record) -> None:
        record.finished_at = _now()
        key = deploy_log.append(self.s3, self.target.artifacts_bucket, record)
        self.out(f"{record.kind} {record.id} {record.result}: s3://{self.target.artifacts_bucket}/{key}")

    def _apply(self, plan: Plan, previous: State, pins: dict[str, dict[str, str]]) -> None:
        pointers = {
            name: {
                "key": plan.file_keys[name],
                "version": self._put(self.target.dags_bucket, plan.file_keys[name], artifact),
            }
            for name, artifact in plan.file_uploads.items()
        }
        if pointers:
            self.out(f"updating MWAA {self.target.mwaa_environment}: {', '.join(pointers)} changed")
            self.update_environment(pointers)
            pins.update(pointers)
        for artifact in plan.dag_uploads:
            self._put(self.target.dags_bucket, plan.dag_prefix + artifact.key, artifact)
        for key in plan.dag_deletes:
            self.s3.delete_object(Bucket=self.target.dags_bucket, Key=key)
        for artifact in plan.glue_uploads:
            self._put(self.target.scripts_bucket, artifact.key, artifact)
        if not (plan.dag_uploads or plan.dag_deletes or pointers):
            return
        self.sleep(self.settle_seconds)
        try:
            errors = self.import_errors()
        except DeployError as exc:
            self.restore(previous, plan.dag_prefix, pins)
            raise DeployError(f"{exc} The previous versions were restored.") from None
        if errors:
            self.restore(previous, plan.dag_prefix, pins)
            files = ", ".join(sorted({str(e.get("filename", "?")) for e in errors}))
            raise DeployError(
                f"{len(errors)} DAG import error(s) on {self.target.mwaa_environment} after the deploy "
                f"({files}): the previous versions were restored; fix them (`make test-fast`) and redeploy."
            )

    def rollback(self, commit: Commit, to: str | None = None) -> Record:
        """Re-point the environment to the versions before the last successful deployment (or to `to`)."""
        started = _now()
        history = deploy_log.read(self.s3, self.target.artifacts_bucket, self.target.environment)
        succeeded = [r for r in history if r.result == SUCCEEDED]
        if to:
            chosen = next((r for r in succeeded if r.id == to), None)
            if chosen is None:
                raise DeployError(
                    f"No successful deployment {to} of {self.target.environment} in the log: pick an id from "
                    f"s3://{self.target.artifacts_bucket}/deployments/{self.target.environment}/."
                )
            goal = chosen.deployed
        else:
            if not succeeded:
                raise DeployError(
                    f"The deployment log of {self.target.environment} has no successful deployment: "
                    "nothing to roll back."
                )
            chosen = succeeded[-1]
            goal = chosen.previous
            if not goal.dags and not goal.files:
                raise DeployError(
                    f"Deployment {chosen.id} was the first to {self.target.environment}: there is no earlier "
                    "version to roll back to."
                )
        self.check_buckets()
        environment = self.describe()
        self.require_available(environment)
        previous = self.live_state(environment)
        pins = dict(previous.files)
        record = Record(
            self.target.environment, ROLLBACK, commit.sha, commit.time, started, previous=previous
        )
        record.restores = chosen.id
        prefix = self.dag_prefix(environment)
        try:
            record.deployed = self.restore(goal, prefix, pins)
            record.result = SUCCEEDED
        except Exception as exc:  # recorded as failed whatever the cause, then re-raised
            record.result, record.error = FAILED, str(exc)
            record.deployed = State(dags=self.dag_versions(prefix), files=pins)
            raise
        finally:
            self._append(record)
        return record


def _now() -> str:
    return datetime.now(UTC).isoformat()


# ---------------------------------------------------------------- the Airflow REST API through MWAA


def invoke_airflow(
    mwaa: Any, environment: str, method: str, path: str, body: dict[str, Any] | None = None, **query: Any
) -> dict[str, Any]:
    """Call the environment's Airflow REST API (v2 on Airflow 3) through MWAA InvokeRestApi."""
    arguments: dict[str, Any] = {"Name": environment, "Path": path, "Method": method}
    if body is not None:
        arguments["Body"] = body
    if query:
        arguments["QueryParameters"] = query
    try:
        response = mwaa.invoke_rest_api(**arguments)
    except ClientError as exc:
        raise DeployError(
            f"The Airflow API of {environment} refused {method} {path} ({_error_message(exc)}): check the "
            "role's airflow:InvokeRestApi permission and that the environment is AVAILABLE."
        ) from None
    return response.get("RestApiResponse") or {}


def smoke(
    mwaa: Any,
    environment: str,
    dag_id: str,
    gate_task: str,
    *,
    timeout: float = 3600.0,
    poll_seconds: float = 30.0,
    out: Callable[[str], None] = print,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> str:
    """Trigger the DAG, wait for the run to end, and require success of the run and of its quality gate."""
    invoke_airflow(mwaa, environment, "PATCH", f"/dags/{dag_id}", {"is_paused": False})
    run = invoke_airflow(
        mwaa, environment, "POST", f"/dags/{dag_id}/dagRuns", {"logical_date": None, "conf": {}}
    )
    run_id = run.get("dag_run_id")
    if not run_id:
        raise DeployError(
            f"Triggering {dag_id} on {environment} returned no run id: check that the DAG exists there."
        )
    out(f"triggered {dag_id} run {run_id} on {environment}")
    deadline = clock() + timeout
    state = run.get("state")
    while state not in FINISHED_RUN_STATES:
        if clock() >= deadline:
            raise DeployError(
                f"{dag_id} run {run_id} on {environment} is still {state} after {timeout:.0f}s: look at it "
                "in the Airflow UI; raise --timeout if the run is just slow."
            )
        sleep(poll_seconds)
        state = invoke_airflow(mwaa, environment, "GET", f"/dags/{dag_id}/dagRuns/{run_id}").get("state")
    tasks = invoke_airflow(
        mwaa, environment, "GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances", limit=100
    ).get("task_instances", [])
    states = {t["task_id"]: t.get("state") for t in tasks}
    if state != "success":
        failed = sorted(t for t, s in states.items() if s in ("failed", "upstream_failed"))
        raise DeployError(
            f"{dag_id} run {run_id} on {environment} ended {state} "
            f"(failed tasks: {', '.join(failed) or 'none'}): read their logs in the Airflow UI."
        )
    gate = {t: s for t, s in states.items() if t == gate_task or t.endswith(f".{gate_task}")}
    if not gate or any(s != "success" for s in gate.values()):
        raise DeployError(
            f"{dag_id} run {run_id} on {environment} succeeded but its quality gate {gate_task!r} did not "
            f"({gate or 'task not found'}): name the gate task with --gate-task or fix the DAG."
        )
    out(f"{dag_id} run {run_id} on {environment}: success, quality gate {gate_task} passed")
    return run_id


# ---------------------------------------------------------------- the command line


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tooling.deploy", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    def with_env(name: str, help_text: str) -> argparse.ArgumentParser:
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--env", required=True, help="dev, staging or prod")
        for flag in ("mwaa-environment", "dags-bucket", "artifacts-bucket", "scripts-bucket"):
            command.add_argument(f"--{flag}", help="override the naming convention")
        return command

    deploy = with_env("deploy", "upload what changed and update MWAA")
    deploy.add_argument("--dry-run", action="store_true", help="print the plan; upload nothing")
    deploy.add_argument(
        "--settle-seconds", type=float, default=90.0, help="wait before reading import errors"
    )
    deploy.add_argument("--timeout", type=float, default=3600.0, help="seconds to wait for AVAILABLE")
    with_env("plan", "what deploy would change")
    rollback = with_env("rollback", "restore the versions before the last deployment")
    rollback.add_argument("--to", help="a deployment id whose versions to restore instead")
    rollback.add_argument("--timeout", type=float, default=3600.0, help="seconds to wait for AVAILABLE")
    smoke_command = with_env("smoke", "trigger a DAG and require success and a passed quality gate")
    smoke_command.add_argument("--dag", required=True)
    smoke_command.add_argument("--gate-task", default="quality_gate")
    smoke_command.add_argument("--timeout", type=float, default=3600.0)
    dora_command = with_env("dora", "DORA metrics from the deployment log")
    dora_command.add_argument("--days", type=int, default=30)
    notify = with_env("notify", "publish a deployment message to the notifications topic")
    notify.add_argument("--subject", required=True)
    notify.add_argument("--message", required=True)
    build = commands.add_parser("build", help="lay the bundle out on disk")
    build.add_argument("--out", type=Path, default=REPO_ROOT / "dist" / "mwaa")
    return parser


def _run(args: argparse.Namespace) -> int:
    if args.command == "build":
        written = write_bundle(build_bundle(REPO_ROOT), args.out)
        print(f"{len(written)} files in {args.out}")
        return 0
    target = target_for(
        args.env,
        mwaa_environment=args.mwaa_environment,
        dags_bucket=args.dags_bucket,
        artifacts_bucket=args.artifacts_bucket,
        scripts_bucket=args.scripts_bucket,
    )
    s3 = boto3.client("s3", region_name=target.region)
    mwaa = boto3.client("mwaa", region_name=target.region)
    if args.command == "dora":
        records = deploy_log.read(s3, target.artifacts_bucket, target.environment)
        print(json.dumps(deploy_log.dora(records, datetime.now(UTC), args.days), indent=2))
        return 0
    if args.command == "notify":
        boto3.client("sns", region_name=target.region).publish(
            TopicArn=target.notifications_topic_arn, Subject=args.subject[:100], Message=args.message
        )
        return 0
    if args.command == "smoke":
        smoke(mwaa, target.mwaa_environment, args.dag, args.gate_task, timeout=args.timeout)
        return 0
    deployer = Deployer(
        target,
        s3,
        mwaa,
        available_timeout=getattr(args, "timeout", 3600.0),
        settle_seconds=getattr(args, "settle_seconds", 90.0),
    )
    if args.command == "plan" or (args.command == "deploy" and args.dry_run):
        deployer.deploy(Commit("", ""), dry_run=True)
        return 0
    commit = current_commit(REPO_ROOT)
    if target.environment in RELEASE_ENVIRONMENTS:
        require_releasable(REPO_ROOT)
    if args.command == "deploy":
        deployer.deploy(commit)
    else:
        deployer.rollback(commit, args.to)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except (DeployError, BuildError, LogError, SettingsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
    except NoCredentialsError:
        print(
            "error: no AWS credentials: configure them (in CI, aws-actions/configure-aws-credentials).",
            file=sys.stderr,
        )
    except (ClientError, BotoCoreError) as exc:
        print(
            f"error: AWS call failed ({exc}): check the region, your credentials and access.", file=sys.stderr
        )
    return 1


if __name__ == "__main__":
    sys.exit(main())
