"""Alarms that mean what they say: each is held to how often its metric is published.

An alarm evaluates `evaluation_periods` periods and fires when `datapoints_to_alarm` of them
breach. With missing data treated as breaching, the empty periods between two publishes breach
too, so such an alarm must see a datapoint in every window it could fire on; otherwise it flaps
(the old freshness alarms: a 1-hour period against one datapoint a day). A low-value alarm on a
Sum must sum a whole run. And every missing-data treatment is chosen on purpose, with the reason
in a comment right above it. Glue's metric names, Type dimensions and statistics are held to the
list AWS documents (aws_glue_metrics.json names its source).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tooling.terraform.expressions import expression_text
from tooling.terraform.files import ENVIRONMENTS, TERRAFORM, blocks, merged_locals
from tooling.terraform.modules import root, tfvars

ALARMS_TF = TERRAFORM / "modules" / "observability" / "alarms.tf"
GLUE_METRICS = json.loads((Path(__file__).parent / "aws_glue_metrics.json").read_text())["metrics"]
DAG_DOCS = (TERRAFORM.parents[1] / "dags" / "orders_nightly.py").read_text()
DAY = 86400
GLUE_REPORT_SECONDS = 30  # Glue reports every 30 s while a job runs; one run a night


def publish_interval(alarm: dict[str, Any], env: str) -> int:
    """Seconds between two datapoints of the alarm's metric, at the longest."""
    if alarm["namespace"] == "Glue":
        return DAY  # datapoints come in one burst a night: the gap between runs is what counts
    per_metric = {
        "PipelineSuccess": DAY,  # the report task of each nightly run
        "QualityGatePassed": DAY,  # the gate of each nightly run
        "DbtModelRegressions": DAY,  # the dbt_timing task of each nightly run
        "DataFreshness": tfvars(env)["freshness_schedule_minutes"] * 60,  # the Lambda's schedule
    }
    return per_metric[alarm["metric_name"]]


def cadence_problems(alarm: dict[str, Any], interval: int) -> list[str]:
    """What is wrong with an alarm against a metric published every `interval` seconds."""
    period, periods = alarm["period"], alarm["evaluation_periods"]
    to_alarm = alarm.get("datapoints_to_alarm", periods)
    missing = alarm.get("treat_missing_data", "missing")
    problems = []
    if period % 60 or period < 60:
        problems.append(f"period {period} s is not a whole number of minutes")
    if to_alarm > periods:
        problems.append(f"datapoints_to_alarm {to_alarm} exceeds evaluation_periods {periods}")
    # CloudWatch's own limits (PutMetricAlarm): 7 days in all, 1 day below an hourly period.
    if period * periods > 7 * DAY or (period < 3600 and period * periods > DAY):
        problems.append(f"{periods} x {period} s is longer than CloudWatch evaluates")
    # Datapoints a run of N aligned periods is sure to hold, however the publishes fall (and drift)
    # against the period boundaries; fewer than N - M + 1 lets M empty periods fire the alarm.
    if missing == "breaching" and (periods - 1) * period // interval < periods - to_alarm + 1:
        problems.append(
            f"missing data breaches, but {to_alarm} of {periods} periods of {period} s can all fall "
            f"between two datapoints {interval} s apart: it would flap"
        )
    if (
        alarm["comparison_operator"].startswith("LessThan")
        and alarm["statistic"] == "Sum"
        and period < interval
    ):
        problems.append(f"a low Sum over {period} s judges part of a run published over {interval} s")
    return problems


def alarms(env: str) -> dict[str, dict[str, Any]]:
    module = root(env).scope.roots["module"]["observability"].module
    found = {}
    for rtype, name, _ in blocks(module.doc, "resource"):
        if rtype == "aws_cloudwatch_metric_alarm":
            for key, attrs in module.instances(rtype, name):
                found[name if key is None else f"{name}[{key}]"] = attrs
    return found


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_alarm_fits_its_metrics_publish_interval(env: str) -> None:
    found = alarms(env)
    assert len(found) >= 10, sorted(found)
    problems = {
        name: cadence_problems(alarm, publish_interval(alarm, env))
        for name, alarm in found.items()
        if cadence_problems(alarm, publish_interval(alarm, env))
    }
    assert problems == {}


@pytest.mark.parametrize(
    ("alarm", "interval", "expected"),
    [
        # The old freshness alarm: 1 h against one datapoint a day, missing breaching.
        ({"period": 3600, "evaluation_periods": 1, "treat_missing_data": "breaching"}, DAY, "it would flap"),
        # The old pipeline-failed alarm: one daily period, empty from midnight until the 03:00 run.
        ({"period": DAY, "evaluation_periods": 1, "treat_missing_data": "breaching"}, DAY, "it would flap"),
        # Hourly freshness with one period: a publish a minute late leaves an hour empty.
        ({"period": 3600, "evaluation_periods": 1, "treat_missing_data": "breaching"}, 3600, "it would flap"),
        # The old records-written check as a 5-minute Sum: a slice of a run is always "low".
        (
            {"period": 300, "evaluation_periods": 1, "comparison_operator": "LessThanThreshold"},
            DAY,
            "judges part of a run",
        ),
        ({"period": 300, "evaluation_periods": 300}, DAY, "longer than CloudWatch evaluates"),
        ({"period": 3600, "evaluation_periods": 2, "datapoints_to_alarm": 3}, 3600, "exceeds"),
    ],
)
def test_the_cadence_check_rejects_alarms_that_flap_or_cannot_work(
    alarm: dict[str, Any], interval: int, expected: str
) -> None:
    full = {"comparison_operator": "GreaterThanThreshold", "statistic": "Sum", **alarm}
    assert any(expected in problem for problem in cadence_problems(full, interval))


def test_every_missing_data_treatment_is_explicit_with_its_reason_above_it() -> None:
    text = ALARMS_TF.read_text()
    blocks = re.split(r'(?m)^resource "aws_cloudwatch_metric_alarm" ', text)[1:]
    assert len(blocks) >= 8
    for block in blocks:
        name = block.split()[0]
        lines = block.splitlines()
        [index] = [i for i, line in enumerate(lines) if line.strip().startswith("treat_missing_data")]
        assert lines[index - 1].strip().startswith("#"), f"{name}: say why above treat_missing_data"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_glue_metric_an_alarm_uses_is_one_aws_documents(env: str) -> None:
    glue = {name: alarm for name, alarm in alarms(env).items() if alarm["namespace"] == "Glue"}
    names = {alarm["metric_name"] for alarm in glue.values()}
    assert {
        "glue.driver.aggregate.recordsRead",
        "glue.ALL.s3.filesystem.write_bytes",
        "glue.ALL.jvm.heap.usage",
    } <= names
    for name, alarm in glue.items():
        documented = GLUE_METRICS.get(alarm["metric_name"])
        assert documented, f"{name}: {alarm['metric_name']} is not in AWS Glue's metric list"
        assert alarm["dimensions"]["Type"] == documented["type"], f"{name}: Type dimension"
        assert alarm["statistic"] == documented["statistic"], f"{name}: statistic"
        assert alarm["dimensions"]["JobRunId"] == "ALL", f"{name}: an alarm watches every run"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_pages_go_to_the_alerts_topic_and_notices_to_the_notifications_topic(env: str) -> None:
    """The topic ARNs are known only after apply, so the routing is read from the expressions."""
    module = root(env).scope.roots["module"]["observability"].module
    routes = {"PAGE": "local.page", "NOTICE": "local.notice"}
    assert merged_locals(module.doc)["page"] == ["${var.alerts_topic_arn}"]
    assert merged_locals(module.doc)["notice"] == ["${var.notifications_topic_arn}"]
    for name, alarm in alarms(env).items():
        severity = alarm["alarm_description"].split(":")[0]
        raw = module.resource("aws_cloudwatch_metric_alarm", name.split("[")[0])["alarm_actions"]
        assert expression_text(raw) == routes[severity], f"{name}: a {severity} goes to {routes[severity]}"
        entry = re.search(r"Runbook: orders_nightly Docs, entry ([^.]+)\.", alarm["alarm_description"])
        assert entry and f"- **{entry.group(1)}**" in DAG_DOCS, (
            f"{name}: name a runbook entry of the DAG's doc_md"
        )
