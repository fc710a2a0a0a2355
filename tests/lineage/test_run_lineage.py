"""One DAG run with the OpenLineage file transport: the lineage graph and the Asset events.

The run is the happy day's rerun (tests/integration/happy_day.py): the real DAG in a sandbox,
local Spark, dbt through Cosmos, GX. Its OpenLineage events (the provider, Cosmos's dbt tasks, the
Glue job) land in one file, from which the graph raw -> curated -> staging -> marts is rebuilt;
its Asset events are read from the sandbox's metadata DB.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import pytest

from include.dataops.settings import Settings
from tests.integration.sandbox import MARTS

pytestmark = pytest.mark.e2e

STAGING = ("stg_orders", "stg_customers")
SCHEMA = "analytics"  # settings warehouse.schema: the consumer schema publish writes


@pytest.fixture(scope="module")
def lineage_run(happy, happy_rerun) -> dict[str, Any]:
    return {"box": happy["box"], "day": happy["day"], **happy_rerun}


def _graph(events: list[dict[str, Any]]) -> tuple[dict[str, set[str]], set[str]]:
    """Edges input -> output of every completed job run, and every dataset named."""
    edges: dict[str, set[str]] = defaultdict(set)
    datasets: set[str] = set()
    for event in events:
        if event.get("eventType") != "COMPLETE":
            continue
        inputs = [f"{d['namespace']}/{d['name']}" for d in event.get("inputs") or []]
        outputs = [f"{d['namespace']}/{d['name']}" for d in event.get("outputs") or []]
        datasets |= {*inputs, *outputs}
        for source in inputs:
            edges[source] |= set(outputs)
    return edges, datasets


def _reachable(edges: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        for nxt in edges.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _named(datasets: set[str], suffix: str) -> str:
    (match,) = [d for d in datasets if d.endswith(suffix)]
    return match


def test_the_events_rebuild_raw_to_curated_to_staging_to_marts(lineage_run, settings: Settings) -> None:
    edges, datasets = _graph(lineage_run["events"])
    box, day = lineage_run["box"], lineage_run["day"]
    raw = [_named(datasets, f"{box.raw}/{name}/dt={day}") for name in ("orders", "customers")]
    # dbt builds every model into the run's audit schema (include/dataops/pipeline/audit.py).
    audit_schema = re.compile(rf"\.audit_{day.replace('-', '')}_[0-9a-f]+\.")
    curated = [_named(datasets, f"{box.curated}/{name}") for name in ("orders", "customers")]
    (audit,) = {m.group(0) for d in datasets if (m := audit_schema.search(d))}
    staging = [_named(datasets, f"{audit}{model}") for model in STAGING]
    marts = [_named(datasets, f".{SCHEMA}.{mart}") for mart in MARTS]
    for node in raw:
        assert set(curated) & _reachable(edges, node), node
    for node in curated:
        assert set(staging) & _reachable(edges, node), f"no edge from {node} to staging"
    reached = set().union(*(_reachable(edges, node) for node in raw))
    assert set(marts) <= reached, set(marts) - reached
    # The data path only: files in the artifacts bucket (run results, GX validations, dbt docs) are
    # run metadata the tasks read and write through S3Hook, not data the marts derive from; so are
    # the local files a task only uploads there (dbt docs' target/*.json, generated in the task).
    artifacts = f"s3://{box.settings.buckets.artifacts}/"
    uploaded_only = {d for d, outs in edges.items() if outs and all(o.startswith(artifacts) for o in outs)}
    data = {d for d in datasets if not d.startswith(artifacts)} - uploaded_only
    sources = {d for d in data if not any(d in outs for outs in edges.values())}
    assert sources == set(raw), f"datasets no job wrote (dangling): {sorted(sources - set(raw))}"


def test_no_asset_uri_holds_template_text(lineage_run) -> None:
    uris = lineage_run["asset_uris"]
    assert uris, "the run recorded no Asset events"
    assert [u for u in uris if "{{" in u or "%7B%7B" in u] == []
