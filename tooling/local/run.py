"""`make run`: the nightly pipeline once, end to end, on the embedded default, and what it did.

It writes sample raw data (bad records included), runs `orders_nightly` with `airflow dags test`
(local Spark, DuckDB, the moto server), then reads back from the emulator what the run left: the
run summary, the metrics and the SNS messages. It prints the summary and writes it to
.local/last-run.json. With several days it names each day's outcome; the exit code fails when
any day failed (its marts were then not published: the consumer schema kept the last good set).

    python -m tooling.local.run [--rows N] [--days N] [--bad-share X] [--run-date YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from include.dataops.pipeline.reconcile import load_manifest, reconcile
from include.dataops.settings import REPO_ROOT, Settings, load_settings
from tooling.local import dags_test_backport as dag_test
from tooling.local import progress, sample_data
from tooling.local.emulator import LOCAL_DIR

DAG_ID = "orders_nightly"
LAST_RUN = LOCAL_DIR / "last-run.json"
LOG_DIR = LOCAL_DIR / "runs"


def run_dag(run_date: str, log_path: Path, conf: dict[str, Any] | None = None) -> bool:
    """`airflow dags test` for one day, a line per task as it finishes; True when the DAG run succeeded."""
    command = dag_test.command(DAG_ID, "-c", json.dumps({"run_date": run_date, **(conf or {})}))
    return progress.run_logged(command, log_path, cwd=REPO_ROOT) == 0


def collect(settings: Settings, run_date: str, expected: sample_data.DaySummary, succeeded: bool) -> dict:
    """Everything a person wants to know after the run, from what the run left behind."""
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    from include.dataops.pipeline.orders import RUNS_PREFIX

    s3 = S3Hook(aws_conn_id=settings.aws_conn_id)
    manifest = load_manifest(settings.lake.curated, run_date)
    recon = reconcile(manifest, settings.quality.max_quarantine_rate, raise_on_failure=False)
    summary_key = f"{RUNS_PREFIX}/dt={run_date}/summary.json"
    summary = (
        json.loads(s3.read_key(summary_key, settings.buckets.artifacts))
        if s3.check_for_key(summary_key, settings.buckets.artifacts)
        else {}
    )
    return {
        "run_date": run_date,
        "gate_passed": succeeded,
        "reconciled": recon.passed,
        "matches_generated_data": {
            name: _matches(manifest["datasets"][name], getattr(expected, name))
            for name in ("orders", "customers")
        },
        "stages": manifest["datasets"],
        "expected": {name: getattr(expected, name).as_manifest() for name in ("orders", "customers")},
        "summary": summary,
        "docs": {
            **(summary.get("docs") or {}),
            "dbt_docs": str(REPO_ROOT / "dbt" / "target" / "index.html"),
        },
    }


def _matches(actual: dict[str, Any], expected: sample_data.DatasetCounts) -> bool:
    wanted = expected.as_manifest()
    return all(actual.get(key) == value for key, value in wanted.items())


def print_report(report: dict[str, Any], metrics: int, messages: list[Any]) -> None:
    verdict = "PASSED" if report["gate_passed"] else "FAILED"
    print(f"\norders_nightly for {report['run_date']}: quality gate {verdict}")
    print(f"{'dataset':<10} {'read':>9} {'written':>9} {'quarant.':>9} {'dedup':>7}  matches generated data")
    for name, stage in report["stages"].items():
        print(
            f"{name:<10} {stage['read']:>9} {stage['written']:>9} {stage['quarantined_total']:>9} "
            f"{stage['deduplicated']:>7}  {report['matches_generated_data'][name]}"
        )
        for reason, count in sorted(stage["quarantined"].items()):
            print(f"{'':<12}quarantined {reason}: {count}")
    summary = report["summary"]
    if summary.get("mart_rows"):
        print("marts: " + ", ".join(f"{t} {n} rows" for t, n in summary["mart_rows"].items()))
    dbt, gx = summary.get("dbt") or {}, summary.get("gx") or {}
    if dbt:
        print(
            f"dbt: {dbt['models_passed']}/{dbt['models_total']} models, "
            f"{dbt['tests_passed']}/{dbt['tests_total']} tests passed"
        )
    if gx:
        print(
            f"Great Expectations: {'passed' if gx.get('success') else 'FAILED'}, "
            f"{gx.get('checks_passed')}/{gx.get('checks_total')} checks"
        )
    for label, where in report["docs"].items():
        print(f"{label}: {where}")
    print(f"CloudWatch metrics sent: {metrics}; SNS messages sent: {len(messages)}")
    for message in messages:
        print(f"  - {message.subject}")
    print(f"written to {LAST_RUN}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000, help="orders per day (default 10000)")
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--bad-share", type=float, default=0.02)
    parser.add_argument(
        "--run-date", type=_day, default=None, help="last day to run, YYYY-MM-DD (default: yesterday, UTC)"
    )
    args = parser.parse_args(argv)
    progress.quiet_library_logs()

    from tooling.local.topic_capture import TopicCapture

    settings = load_settings()
    last = args.run_date or datetime.now(UTC).date() - timedelta(days=1)
    try:
        days = sample_data.generate(settings.lake.raw, last, args.days, args.rows, args.bad_share)
    except sample_data.SampleDataError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"generated {args.days} day(s) of raw data ending {last} in {settings.lake.raw}")
    with (
        TopicCapture(settings, settings.alerts_topic_arn) as alerts,
        TopicCapture(settings, settings.notifications_topic_arn) as notes,
    ):
        outcomes: dict[str, bool] = {}
        for day in days:
            print(f"running {DAG_ID} for {day.dt} (log: {LOG_DIR / f'{day.dt}.log'}) ...", flush=True)
            outcomes[day.dt] = succeeded = run_dag(day.dt, LOG_DIR / f"{day.dt}.log")
        messages = alerts.wait_for(0, timeout_seconds=2) + notes.wait_for(
            1 if succeeded else 0, timeout_seconds=5
        )
    subprocess.run(["make", "-s", "dbt-docs"], cwd=REPO_ROOT, check=False, capture_output=True)
    report = collect(settings, days[-1].dt, days[-1], succeeded)
    metrics = _metrics_sent(settings)
    report["metrics_sent"] = metrics
    report["sns_messages"] = [{"subject": m.subject, "message": m.message} for m in messages]
    report["days"] = {dt: "published" if ok else "FAILED, not published" for dt, ok in outcomes.items()}
    LAST_RUN.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print_report(report, metrics, messages)
    if len(outcomes) > 1:
        print("days: " + ", ".join(f"{dt} {outcome}" for dt, outcome in report["days"].items()))
    return 0 if all(outcomes.values()) and report["reconciled"] else 1


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a day: use YYYY-MM-DD, e.g. RUN_DATE=2026-11-23"
        ) from None


def _metrics_sent(settings: Settings) -> int:
    """Metric series in the pipeline's namespace, read back from the CloudWatch the run wrote to."""
    from include.dataops.observability.metrics import cloudwatch_client

    pages = (
        cloudwatch_client(settings)
        .get_paginator("list_metrics")
        .paginate(Namespace=settings.cloudwatch.namespace)
    )
    return sum(len(page["Metrics"]) for page in pages)


if __name__ == "__main__":
    sys.exit(main())
