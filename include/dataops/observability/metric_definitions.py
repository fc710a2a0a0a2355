"""The one list of the pipeline's own CloudWatch metrics: what each means and how it is drawn.

metrics.py publishes the per-run ones and dora.py the four DORA metrics (after each deploy and
each run), with these names, units and dimensions; the health report (observability/report/)
draws one chart per run metric and its DORA section from the DORA ones; the CloudWatch
dashboard in Terraform is generated from the same list (`make metric-definitions` writes
infra/terraform/modules/observability/metric_definitions.json) and
tests/infra/test_dashboard_definitions.py fails when they differ.
Plain data only: Terraform tooling and the DAGs import it without anything heavy.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class MetricDefinition:
    name: str
    unit: str  # a CloudWatch StandardUnit
    dimensions: tuple[str, ...]  # empty: one value per run
    statistic: str  # how a day's datums are combined on the dashboard
    title: str
    source: str = "run"  # RUN: published by each run (metrics.py); DORA: by dora.py


RUN, DORA = "run", "dora"


METRICS: tuple[MetricDefinition, ...] = (
    MetricDefinition("StageDuration", "Seconds", ("Stage",), "Maximum", "Duration per stage (s)"),
    MetricDefinition("DbtModelDuration", "Seconds", ("Model",), "Maximum", "Duration per dbt model (s)"),
    MetricDefinition(
        "DbtModelRegressions", "Count", (), "Maximum", "dbt models slower than their history (dbt_timing.py)"
    ),
    MetricDefinition("RecordsRead", "Count", ("Dataset",), "Maximum", "Records read per dataset"),
    MetricDefinition("RecordsWritten", "Count", ("Dataset",), "Maximum", "Records written per dataset"),
    MetricDefinition(
        "RecordsQuarantined", "Count", ("Dataset",), "Maximum", "Records quarantined per dataset"
    ),
    MetricDefinition(
        "RecordsDeduplicated", "Count", ("Dataset",), "Maximum", "Records deduplicated per dataset"
    ),
    MetricDefinition("MartRows", "Count", ("Table",), "Maximum", "Rows per mart"),
    MetricDefinition("DataFreshness", "None", ("Table",), "Maximum", "Data freshness per table (hours)"),
    MetricDefinition("QualityGatePassed", "Count", (), "Minimum", "Quality gate (1 = passed)"),
    MetricDefinition("PipelineSuccess", "Count", (), "Minimum", "Pipeline run (1 = succeeded)"),
    MetricDefinition(
        "DoraDeploymentFrequency", "Count", ("Environment",), "Maximum", "DORA: live deploys per day", DORA
    ),
    MetricDefinition(
        "DoraLeadTimeHours", "None", ("Environment",), "Maximum", "DORA: median lead time (hours)", DORA
    ),
    MetricDefinition(
        "DoraChangeFailureRate", "None", ("Environment",), "Maximum", "DORA: change failure rate", DORA
    ),
    MetricDefinition(
        "DoraTimeToRestoreHours",
        "None",
        ("Environment",),
        "Maximum",
        "DORA: mean time to restore (hours)",
        DORA,
    ),
)

BY_NAME = {metric.name: metric for metric in METRICS}
RUN_METRICS = tuple(metric for metric in METRICS if metric.source == RUN)
DORA_METRICS = tuple(metric for metric in METRICS if metric.source == DORA)


def definitions_json() -> str:
    """The list as Terraform reads it (jsondecode), one stable text so a diff shows real changes."""
    return json.dumps([asdict(metric) for metric in METRICS], indent=2) + "\n"


if __name__ == "__main__":
    print(definitions_json(), end="")
