"""What the pipeline publishes is what metric_definitions lists: names, units and dimensions."""

from __future__ import annotations

from datetime import UTC, datetime

from include.dataops.observability import dora, metrics
from include.dataops.observability.metric_definitions import BY_NAME, DORA_METRICS, METRICS, RUN_METRICS


def _matches_its_definition(data: list[dict]) -> None:
    for datum in data:
        definition = BY_NAME[datum["MetricName"]]
        dimensions = tuple(d["Name"] for d in datum.get("Dimensions", []))
        assert (datum["Unit"], dimensions) == (definition.unit, definition.dimensions), datum


def test_every_published_datum_matches_its_definition_and_every_definition_is_published() -> None:
    data = metrics.build_metric_data(
        manifest={"datasets": {"orders": {"read": 3, "written": 2, "quarantined_total": 1}}},
        stage_durations={"glue_transform": 12.5},
        mart_rows={"orders": 2},
        dbt_durations={"orders": 1.5},
        dbt_regressions=0,
        freshness_hours={"orders": 3.0},
        quality_gate_passed=True,
        pipeline_succeeded=True,
    )
    _matches_its_definition(data)
    assert {d["MetricName"] for d in data} == {m.name for m in RUN_METRICS}


def test_the_dora_metrics_are_published_as_their_definitions_say() -> None:
    computed = {key: 0.5 for key in dora.METRIC_KEYS.values()}
    data = dora.metric_data(computed, "prod", datetime(2026, 11, 23, tzinfo=UTC))
    _matches_its_definition(data)
    assert {d["MetricName"] for d in data} == {m.name for m in DORA_METRICS} == set(dora.METRIC_KEYS)
    assert set(RUN_METRICS) | set(DORA_METRICS) == set(METRICS)
