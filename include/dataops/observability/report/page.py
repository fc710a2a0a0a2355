"""The health report's HTML: one self-contained page of plotly charts from the run history.

Each run of the history is a run_record (observability/run_record.py). The metric charts come
from metric_definitions, fed with the datums metrics.build_metric_data makes from the same
inputs the pipeline published, so the page and the CloudWatch dashboard show the same numbers.
plotly.js is inlined: the page opens from a file or an S3 link with no network.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from include.dataops.observability.metric_definitions import DORA_METRICS, RUN_METRICS, MetricDefinition
from include.dataops.settings import Monitoring, load_settings

STATE_CODES = {"success": 2, "skipped": 1, "upstream_failed": 0, "failed": 0}
STATE_COLOURS = [[0, "#d62728"], [0.5, "#bbbbbb"], [1, "#2ca02c"]]
DORA_PLACEHOLDER = (
    "No deployment or run events yet in this environment's deployment log and run history "
    "(include/dataops/observability/dora.py): the section fills in after the first deploy or run."
)


def run_labels(history: Sequence[Mapping[str, Any]]) -> list[str]:
    """Each run's x-axis label: its day, and "(2)", "(3)" for later runs of the same day."""
    seen: defaultdict[str, int] = defaultdict(int)
    labels = []
    for run in history:
        seen[run["run_date"]] += 1
        count = seen[run["run_date"]]
        labels.append(run["run_date"] if count == 1 else f"{run['run_date']} ({count})")
    return labels


def metric_series(history: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, list[tuple[str, float]]]]:
    """metric name -> dimension value ('' for none) -> [(run label, value)], oldest first."""
    from include.dataops.observability.metrics import build_metric_data

    regressed: defaultdict[str, int] = defaultdict(int)
    for label, _, _ in model_regressions(history, load_settings().monitoring):
        regressed[label] += 1
    series: dict[str, dict[str, list[tuple[str, float]]]] = defaultdict(lambda: defaultdict(list))
    for label, run in zip(run_labels(history), history, strict=True):
        inputs = dict(run["metric_inputs"])
        if "dbt_durations" in inputs:
            inputs["dbt_regressions"] = regressed[label]
        for datum in build_metric_data(**inputs):
            dimension = (datum.get("Dimensions") or [{"Value": ""}])[0]["Value"]
            series[datum["MetricName"]][dimension].append((label, datum["Value"]))
    return series


def model_regressions(history: Sequence[Mapping[str, Any]], rule: Monitoring) -> list[tuple[str, str, float]]:
    """(run label, model, seconds) of every dbt model timing the regression rule flags
    (include/dataops/observability/dbt_timing.py), each run judged against the runs before it."""
    from include.dataops.observability.dbt_timing import find_regressions

    marked: list[tuple[str, str, float]] = []
    past: list[dict[str, float]] = []
    for label, run in zip(run_labels(history), history, strict=True):
        current = run["metric_inputs"].get("dbt_durations") or {}
        if not current:
            continue  # a run that failed before dbt: no timings, and no sample for the baseline
        found = find_regressions(
            current,
            past,
            factor=rule.dbt_regression_factor,
            floor_seconds=rule.dbt_regression_floor_seconds,
            history_runs=rule.dbt_regression_history_runs,
        )
        marked += [(label, r.model, r.seconds) for r in found]
        past.append(dict(current))
    return marked


def build_page(
    history: Sequence[Mapping[str, Any]], *, environment: str, dora: Mapping[str, Any] | None = None
) -> str:
    """The whole page; `history` oldest run first, `dora` the deployment log's DORA metrics if known."""
    import plotly.graph_objects as go
    from plotly.offline import get_plotlyjs

    if not history:
        raise ValueError("the run history is empty: run the pipeline once (make run), then build the report.")
    series = metric_series(history)
    sections = [("Stage status per run", _stage_status(go, history))]
    sections += [(m.title, _metric_chart(go, m, series.get(m.name, {}), history)) for m in RUN_METRICS]
    sections.append(("Quarantined records by reason", _quarantine(go, history)))
    sections.append(("Quality gate verdicts: checks per stage", _gate(go, history)))
    figures = [
        f"<section><h2>{html.escape(title)}</h2>"
        f"{fig.to_html(full_html=False, include_plotlyjs=False, config={'displaylogo': False})}</section>"
        for title, fig in sections
    ]
    figures.append(_dora_section(go, dora))
    last = history[-1]
    warnings = "".join(f"<li>{html.escape(w)}</li>" for w in last.get("warnings") or [])
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Orders pipeline health ({html.escape(environment)})</title>"
        "<style>body{font-family:sans-serif;margin:1rem 2rem}section{margin-bottom:1.5rem}"
        "h2{font-size:1.1rem;margin:.2rem 0}</style>"
        f"<script>{get_plotlyjs()}</script></head><body>"
        f"<h1>Orders pipeline health: {html.escape(environment)}</h1>"
        f"<p>{len(history)} runs, {html.escape(history[0]['run_date'])} to {html.escape(last['run_date'])}; "
        f"last recorded {html.escape(last.get('recorded_at', '?')[:19])}.</p>"
        + (f"<h2>Warnings of the last run</h2><ul>{warnings}</ul>" if warnings else "")
        + "".join(figures)
        + "</body></html>"
    )


def _stage_status(go: Any, history: Sequence[Mapping[str, Any]]) -> Any:
    dates = run_labels(history)
    stages = sorted({s["stage"] for run in history for s in run["stages"]})
    by_run = [{s["stage"]: s for s in run["stages"]} for run in history]
    z, text = [], []
    for stage in stages:
        cells = [run.get(stage) for run in by_run]
        z.append([STATE_CODES.get(c["state"], 1) if c else None for c in cells])
        text.append([f"{c['state']}, {c['seconds'] or 0:.1f} s" if c else "not run" for c in cells])
    fig = go.Figure(
        go.Heatmap(
            x=dates,
            y=stages,
            z=z,
            text=text,
            hovertemplate="%{y} %{x}: %{text}<extra></extra>",
            colorscale=STATE_COLOURS,
            zmin=0,
            zmax=2,
            showscale=False,
            xgap=2,
            ygap=2,
        )
    )
    return fig.update_layout(
        height=max(260, 22 * len(stages) + 120), margin={"l": 220}, xaxis={"type": "category"}
    )


def _metric_chart(
    go: Any, metric: MetricDefinition, lines: Mapping[str, list[tuple[str, float]]], history: Sequence[Any]
) -> Any:
    fig = go.Figure()
    for dimension, points in sorted(lines.items()):
        fig.add_trace(
            go.Scatter(
                x=[p[0] for p in points],
                y=[p[1] for p in points],
                name=dimension or metric.name,
                mode="lines+markers",
            )
        )
    if metric.name == "DataFreshness":
        for table, sla_hours in sorted(history[-1]["freshness_sla_hours"].items()):
            fig.add_hline(y=sla_hours, line_dash="dash", line_color="#d62728", annotation_text=f"SLA {table}")
    if metric.name == "DbtModelDuration":
        marked = model_regressions(history, load_settings().monitoring)
        fig.add_trace(
            go.Scatter(
                x=[m[0] for m in marked],
                y=[m[2] for m in marked],
                text=[m[1] for m in marked],
                name="regression",
                mode="markers",
                marker={"symbol": "x", "size": 14, "color": "#d62728"},
            )
        )
    unit = "hours" if metric.name == "DataFreshness" else metric.unit.lower()
    return fig.update_layout(height=320, yaxis_title=unit, xaxis={"type": "category"}, showlegend=True)


def _quarantine(go: Any, history: Sequence[Mapping[str, Any]]) -> Any:
    bars: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for label, run in zip(run_labels(history), history, strict=True):
        for dataset, reasons in sorted(run["quarantined_by_reason"].items()):
            for reason, count in sorted(reasons.items()):
                bars[f"{dataset}: {reason}"].append((label, count))
    fig = go.Figure(
        [go.Bar(x=[p[0] for p in pts], y=[p[1] for p in pts], name=name) for name, pts in bars.items()]
    )
    return fig.update_layout(barmode="stack", height=320, yaxis_title="records", xaxis={"type": "category"})


def _gate(go: Any, history: Sequence[Mapping[str, Any]]) -> Any:
    dates = run_labels(history)
    stages = sorted({s for run in history for s in (run["gate"].get("passed_by_stage") or {})})
    fig = go.Figure(
        [
            go.Bar(
                x=dates,
                y=[run["gate"].get("passed_by_stage", {}).get(s, 0) for run in history],
                name=f"{s} passed",
            )
            for s in stages
        ]
        + [
            go.Bar(
                x=dates,
                y=[run["gate"].get("checks_failed", 0) for run in history],
                name="failed",
                marker_color="#d62728",
            )
        ]
    )
    verdicts = [
        ("passed" if run["gate"]["passed"] else "FAILED") if run["gate"] else "no verdict" for run in history
    ]
    fig.add_trace(
        go.Scatter(
            x=dates,
            y=[0] * len(dates),
            text=verdicts,
            mode="text",
            textposition="top center",
            name="verdict",
            showlegend=False,
        )
    )
    return fig.update_layout(barmode="stack", height=320, yaxis_title="checks", xaxis={"type": "category"})


def _dora_section(go: Any, dora: Mapping[str, Any] | None) -> str:
    if not dora:
        note = html.escape(DORA_PLACEHOLDER)
        return f'<section id="dora"><h2>DORA</h2><p class="placeholder">{note}</p></section>'
    from include.dataops.observability.dora import METRIC_KEYS

    shown = [
        (m.title, dora[METRIC_KEYS[m.name]])
        for m in DORA_METRICS
        if dora.get(METRIC_KEYS[m.name]) is not None
    ]
    fig = go.Figure()
    for index, (title, value) in enumerate(shown):
        fig.add_trace(
            go.Indicator(
                mode="number", value=value, title={"text": title}, domain={"row": 0, "column": index}
            )
        )
    fig.update_layout(grid={"rows": 1, "columns": max(1, len(shown))}, height=220)
    title = f"DORA, last {dora.get('window_days', '?')} days"
    counts = (
        f"{dora.get('deployments', 0)} live deploys, {dora.get('incidents_restored', 0)} incidents restored"
        + (f", one open since {dora['incident_open_since']}" if dora.get("incident_open_since") else "")
    )
    return (
        f'<section id="dora"><h2>{title}</h2><p>{html.escape(counts)}</p>'
        f"{fig.to_html(full_html=False, include_plotlyjs=False)}</section>"
    )
