"""Ship the repository to Amazon MWAA, roll it back, smoke-test it, and measure delivery (DORA).

    python -m tooling.deploy deploy        --env staging|prod [--dry-run]
    python -m tooling.deploy plan          --env X            (the same as deploy --dry-run)
    python -m tooling.deploy rollback      --env X [--to DEPLOYMENT_ID]
    python -m tooling.deploy smoke         --env X --dag orders_nightly [--gate-task quality_gate]
    python -m tooling.deploy release-dbt   --env X --state DIR [--dag orders_nightly] (dbt through the DAG)
    python -m tooling.deploy dora          --env X [--days 30]
    python -m tooling.deploy backfill      --env X --start YYYY-MM-DD --end YYYY-MM-DD [--dag D]
    python -m tooling.deploy notify        --env X --subject S --message M
    python -m tooling.deploy build         --out dist      (dist/mwaa/ and dist/scripts/)
    python -m tooling.deploy build-plugins --out dist/plugins.zip

Names come from the settings, overridable per flag: MWAA environment `dataops-<env>`, its source
bucket `airflow-dataops-<env>` (versioned; DAGs under the environment's DagS3Path), the deployment log
and the Glue scripts in the settings' artifacts and scripts buckets. boto3 honours
AWS_ENDPOINT_URL, so the same code runs against the local emulator in tests. This module only
parses arguments and dispatches; the work lives in the modules beside it.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from include.dataops.observability import dora
from include.dataops.settings import REPO_ROOT, SettingsError, load_settings
from tooling.deploy.backfill import REPROCESS_BEHAVIORS, backfill, day_range
from tooling.deploy.bundle import BuildError, build_bundle, plugins_zip, write_bundle
from tooling.deploy.checks import (
    RELEASE_ENVIRONMENTS,
    current_commit,
    require_releasable,
    target_for,
)
from tooling.deploy.dbt_release import modified_models, release
from tooling.deploy.deployer import Deployer
from tooling.deploy.log import LogError
from tooling.deploy.mwaa_api import invoke_airflow
from tooling.deploy.notify import notify
from tooling.deploy.smoke import smoke
from tooling.deploy.types import Commit, DeployError, Target


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tooling.deploy", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    def with_env(name: str, help_text: str) -> argparse.ArgumentParser:
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--env", required=True, help="dev, staging or prod (dora: local too)")
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
    release_dbt = with_env("release-dbt", "run the DAG for the dbt models changed since --state")
    release_dbt.add_argument("--state", type=Path, required=True, help="the last release's manifest dir")
    release_dbt.add_argument("--target", default="prod", help="the dbt target the manifests are parsed for")
    release_dbt.add_argument("--dag", default="orders_nightly")
    release_dbt.add_argument("--gate-task", default="quality_gate")
    release_dbt.add_argument("--timeout", type=float, default=3600.0)
    dora_command = with_env("dora", "DORA metrics from the deployment log and run history")
    dora_command.add_argument("--days", type=int, default=30)
    backfill_command = with_env("backfill", "run a range of days through Airflow's backfill API")
    backfill_command.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
    backfill_command.add_argument("--end", required=True, help="last day, YYYY-MM-DD (at most yesterday)")
    backfill_command.add_argument("--dag", default="orders_nightly")
    backfill_command.add_argument(
        "--reprocess",
        choices=REPROCESS_BEHAVIORS,
        default="completed",
        help="days that already ran: run them again (completed, the default), only failed ones, or none",
    )
    notify_command = with_env("notify", "publish a deployment message to the notifications topic")
    notify_command.add_argument("--subject", required=True)
    notify_command.add_argument("--message", required=True)
    build = commands.add_parser("build", help="lay the bundle out on disk: <out>/mwaa/ and <out>/scripts/")
    build.add_argument("--out", type=Path, default=REPO_ROOT / "dist")
    plugins = commands.add_parser("build-plugins", help="write the reproducible plugins.zip a deploy uploads")
    plugins.add_argument("--out", type=Path, default=REPO_ROOT / "dist" / "plugins.zip")
    return parser


def _run(args: argparse.Namespace) -> int:
    if args.command == "build":
        written = write_bundle(build_bundle(REPO_ROOT), args.out)
        print(f"{len(written)} files in {args.out}")
        return 0
    if args.command == "build-plugins":
        archive = plugins_zip(REPO_ROOT)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(archive.body)
        print(f"{args.out} (sha256 {archive.sha256})")
        return 0
    if args.command == "dora":
        print(json.dumps(_publish_dora(args.env, args.artifacts_bucket, args.days), indent=2))
        return 0
    days = day_range(args.start, args.end) if args.command == "backfill" else []
    target = target_for(
        args.env,
        mwaa_environment=args.mwaa_environment,
        dags_bucket=args.dags_bucket,
        artifacts_bucket=args.artifacts_bucket,
        scripts_bucket=args.scripts_bucket,
    )
    s3 = boto3.client("s3", region_name=target.region)
    mwaa = boto3.client("mwaa", region_name=target.region)
    if args.command == "notify":
        sns = boto3.client("sns", region_name=target.region)
        notify(sns, target.notifications_topic_arn, args.subject, args.message)
        return 0
    call = functools.partial(invoke_airflow, mwaa, target.mwaa_environment)
    if args.command == "backfill":
        created = backfill(
            call,
            args.dag,
            days,
            args.reprocess,
        )
        print(
            f"backfill {created['id']} of {args.dag} on {target.mwaa_environment}: {days[0]}..{days[-1]}, "
            f"{len(days)} run(s), one at a time, in order; follow it in the Airflow UI (Browse > Backfills)."
        )
        return 0
    if args.command == "smoke":
        smoke(call, target.mwaa_environment, args.dag, args.gate_task, timeout=args.timeout)
        return 0
    if args.command == "release-dbt":
        models = modified_models(args.state, args.target)
        release(call, target.mwaa_environment, args.dag, args.gate_task, models, timeout=args.timeout)
        return 0
    deployer = Deployer(
        target,
        s3,
        mwaa,
        available_timeout=getattr(args, "timeout", 3600.0),
        settle_seconds=getattr(args, "settle_seconds", 90.0),
        on_record=lambda record: _publish_dora_quietly(target),
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


def _publish_dora_quietly(target: Target) -> None:
    """After each logged deploy or rollback; a metrics outage must not hide the deploy's own result."""
    try:
        _publish_dora(target.environment, target.artifacts_bucket)
    except (ClientError, BotoCoreError) as exc:
        print(f"warning: DORA metrics not published ({exc}); `make dora` retries.", file=sys.stderr)


def _publish_dora(environment: str, artifacts_bucket: str | None, days: int = 30) -> dict[str, Any]:
    """The environment's DORA metrics, computed from its logs and sent to CloudWatch.

    Any environment, local included: locally the logs live in the emulator (`make run` writes
    the run history there).
    """
    settings = load_settings(environment)
    bucket = artifacts_bucket or settings.buckets.artifacts
    s3 = boto3.client("s3", region_name=settings.aws_region)
    now = datetime.now(UTC)
    window = settings.monitoring.change_failure_window_hours
    metrics = dora.collect(s3, bucket, environment, now, days, window)
    cloudwatch = boto3.client("cloudwatch", region_name=settings.aws_region)
    dora.publish(cloudwatch, settings.cloudwatch.namespace, metrics, environment, now)
    return metrics


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
