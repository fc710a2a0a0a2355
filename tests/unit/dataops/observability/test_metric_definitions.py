"""What the pipeline publishes is what metric_definitions lists: names, units and dimensions."""

from __future__ import annotations

from include.dataops.observability import metrics
from include.dataops.observability.metric_definitions import BY_NAME, METRICS


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
    for datum in data:
        definition = BY_NAME[datum["MetricName"]]
        dimensions = tuple(d["Name"] for d in datum.get("Dimensions", []))
        assert (datum["Unit"], dimensions) == (definition.unit, definition.dimensions), datum
    assert {d["MetricName"] for d in data} == {m.name for m in METRICS}
