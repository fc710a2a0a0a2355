"""The CloudWatch dashboard and alarms are drawn from metric_definitions, so they cannot drift.

Terraform reads metric_definitions.json (jsondecode(file())), which the test evaluator does not
implement, so the test binds local.metrics to the committed file and evaluates the module's own
widget expressions; a second test holds the file to the Python list.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

from include.dataops.observability.freshness import slas_from_dbt
from include.dataops.observability.metric_definitions import BY_NAME, METRICS, definitions_json
from tooling.terraform.evaluate import Scope
from tooling.terraform.files import TERRAFORM, blocks, merged_locals, parse_dir, unquote

MODULE = TERRAFORM / "modules" / "observability"
DEFINITIONS_FILE = MODULE / "metric_definitions.json"
VARS = {"namespace": "DataOps/Orders", "aws_region": "ca-central-1"}


def _locals() -> dict[str, Any]:
    """The module's locals, evaluated in order, with the JSON file as Terraform would read it."""
    raw = merged_locals(parse_dir(MODULE))
    values: dict[str, Any] = {
        "metrics": json.loads(DEFINITIONS_FILE.read_text()),
        "freshness": {table: asdict(sla) for table, sla in slas_from_dbt().items()},
    }
    for name in ("run_values", "series", "series_widgets", "series_end"):
        values[name] = Scope({"var": VARS, "local": values}).eval(raw[name])
    return values


def test_the_committed_json_is_the_python_list() -> None:
    assert DEFINITIONS_FILE.read_text() == definitions_json(), (
        "metric_definitions.json is stale: run `make metric-definitions` and commit it."
    )


def test_every_definition_is_drawn_once_with_its_title_statistic_and_dimension() -> None:
    values = _locals()
    drawn: list[str] = []
    for widget in values["series_widgets"]:
        (query,) = widget["properties"]["metrics"][0]
        found = re.fullmatch(
            r"SEARCH\('\{DataOps/Orders,(\w+)\} MetricName=\"(\w+)\"', '(\w+)', 86400\)", query["expression"]
        )
        assert found, query["expression"]
        dimension, name, statistic = found.groups()
        metric = BY_NAME[name]
        assert (metric.dimensions, metric.statistic, metric.title) == (
            (dimension,),
            statistic,
            widget["properties"]["title"],
        )
        drawn.append(name)
    for namespace, name, options in values["run_values"]:
        assert namespace == "DataOps/Orders"
        assert (options["stat"], options["label"]) == (BY_NAME[name].statistic, BY_NAME[name].title)
        drawn.append(name)
    assert sorted(drawn) == sorted(m.name for m in METRICS)


def test_the_freshness_chart_draws_each_tables_sla_from_dbt() -> None:
    """The SLA lines are dbt's meta.freshness, the same numbers the alarms and the Lambda use."""
    (widget,) = [
        w for w in _locals()["series_widgets"] if w["properties"]["title"] == BY_NAME["DataFreshness"].title
    ]
    lines = {a["label"]: a["value"] for a in widget["properties"]["annotations"]["horizontal"]}
    assert lines == {f"SLA {table}": sla.sla_hours for table, sla in slas_from_dbt().items()}
    assert len(lines) == 3


def test_widgets_do_not_overlap() -> None:
    values = _locals()
    cells = set()
    for widget in values["series_widgets"]:
        for x in range(widget["x"], widget["x"] + widget["width"]):
            for y in range(widget["y"], widget["y"] + widget["height"]):
                assert (x, y) not in cells, widget["properties"]["title"]
                cells.add((x, y))
    assert values["series_end"] == max(w["y"] + w["height"] for w in values["series_widgets"])


def test_the_dashboard_body_uses_the_generated_widgets() -> None:
    doc = parse_dir(MODULE)
    (body,) = [b for t, _, b in blocks(doc, "resource") if t == "aws_cloudwatch_dashboard"]
    text = body["dashboard_body"]
    assert "local.series_widgets" in text and "local.run_values" in text


def test_every_alarm_on_the_namespace_watches_a_defined_metric() -> None:
    doc = parse_dir(MODULE)
    watched = []
    for rtype, _, body in blocks(doc, "resource"):
        if rtype != "aws_cloudwatch_metric_alarm":
            continue
        metrics = [body] + [q["metric"][0] for q in body.get("metric_query", []) if q.get("metric")]
        for metric in metrics:
            if metric.get("namespace") == "${var.namespace}":
                watched.append(unquote(metric["metric_name"]))
    assert watched and set(watched) <= set(BY_NAME), set(watched) - set(BY_NAME)


def test_metric_definitions_module_is_a_leaf() -> None:
    source = Path(__file__).resolve().parents[2] / "include/dataops/observability/metric_definitions.py"
    tree = ast.parse(source.read_text())
    imports = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imports |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert imports <= {"__future__", "json", "dataclasses"}, imports
