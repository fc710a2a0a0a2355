"""The deployer: upload what changed, update the MWAA environment, wait, check imports, roll back.

A deployment uploads only what changed, and touches the MWAA environment (a 20-30 minute update)
only when plugins.zip, requirements.txt or startup.sh changed. DAG files go up only once the
environment is AVAILABLE on the new versions; if the scheduler then reports import errors, the
previous object versions are put back. Every deployment and rollback, successful or not, is one
record in the append-only log (tooling/deploy/log.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from include.dataops.settings import REPO_ROOT
from tooling.deploy import log as deploy_log
from tooling.deploy.bundle import Artifact, build_bundle
from tooling.deploy.checks import commits_since
from tooling.deploy.log import DEPLOY, FAILED, ROLLBACK, SUCCEEDED, Record, State
from tooling.deploy.mwaa_api import import_errors
from tooling.deploy.plan import Plan, dag_prefix, latest_versions, pinned, plan_deployment
from tooling.deploy.types import PINNED, Commit, DeployError, Target, aws_error


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
        on_record: Callable[[Record], None] = lambda record: None,
    ) -> None:
        self.target, self.s3, self.mwaa, self.root, self.out = target, s3, mwaa, root, out
        self.on_record = on_record  # called once each record is in the log (DORA publishes then)
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
                raise DeployError(f"Cannot reach bucket {bucket} ({aws_error(exc)}): check access.") from None
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
                f"Cannot read MWAA environment {self.target.mwaa_environment} ({aws_error(exc)})."
            ) from None

    def require_available(self, environment: dict[str, Any]) -> None:
        status = environment.get("Status")
        if status not in ("AVAILABLE", "UPDATE_FAILED"):
            raise DeployError(
                f"MWAA environment {self.target.mwaa_environment} is {status}: wait until it is AVAILABLE, "
                "then rerun."
            )

    # -- what is live

    def dag_versions(self, prefix: str) -> dict[str, str]:
        latest = latest_versions(self.s3, self.target.dags_bucket, prefix)
        return {key: v["VersionId"] for key, v in latest.items()}

    def live_state(self, environment: dict[str, Any]) -> State:
        files = {name: pin for name, pin in pinned(environment).items() if pin["version"]}
        return State(dags=self.dag_versions(dag_prefix(environment)), files=files)

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
                f"MWAA rejected the update of {self.target.mwaa_environment} ({aws_error(exc)}): "
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
        """Upload what changed, update MWAA only if pinned files changed, verify, record (with the
        commits it makes live, those after the last live deploy's: DORA's lead time is per commit)."""
        started = _now()
        self.check_buckets()
        environment = self.describe()
        self.require_available(environment)
        plan = plan_deployment(self.s3, self.target, build_bundle(self.root), environment)
        self.out(plan.render(self.target))
        if dry_run:
            self.out("dry run: nothing uploaded")
            return None
        previous = self.live_state(environment)
        pins = dict(previous.files)
        record = Record(self.target.environment, DEPLOY, commit.sha, commit.time, started, previous=previous)
        record.changes = plan.changes()
        live = deploy_log.last_live_commit(self.s3, self.target.artifacts_bucket, self.target.environment)
        record.commits = [{"sha": c.sha, "time": c.time} for c in commits_since(self.root, live, commit)]
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
        self.on_record(record)

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
            errors = import_errors(self.mwaa, self.target.mwaa_environment)
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
        prefix = dag_prefix(environment)
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
