"""One small DAG run with the OpenLineage file transport: the lineage graph and the Asset events.

The run is the real DAG in a sandbox (tests/integration/sandbox.py): local Spark, dbt through
Cosmos, GX. Its OpenLineage events (the provider, Cosmos's dbt tasks, the Glue job) land in one
file, from which the graph raw -> curated -> staging -> marts is rebuilt; its Asset events are
read from the sandbox's metadata DB.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import defaultdict
from datetime import date
from typing import Any

import pytest

from include.dataops.settings import Settings
from tests.integration.sandbox import MARTS, Sandbox
from tooling.local import sample_data

pytestmark = pytest.mark.e2e

DAY = "2026-10-20"
ROWS = 300
STAGING = ("stg_orders", "stg_customers")
SCHEMA = "analytics"  # settings warehouse.schema: the consumer schema publish writes
# dbt builds every model into the run's audit schema (include/dataops/pipeline/audit.py).
AUDIT = re.compile(rf"\.audit_{DAY.replace('-', '')}_[0-9a-f]+\.")


@pytest.fixture(scope="module")
def lineage_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    box = Sandbox(tmp_path_factory.mktemp("lineage"))
    events_file = box.root / "lineage" / "events.jsonl"
    events_file.parent.mkdir(parents=True)
    sample_data.generate(box.raw, date.fromisoformat(DAY), 1, ROWS, 0.02)
    # The sandbox's metadata DB is a copy of the bootstrap's, which may hold earlier runs' events.
    with sqlite3.connect(box.airflow_home / "airflow.db") as db:
        (before,) = db.execute("select coalesce(max(id), 0) from asset_event").fetchone()
    with pytest.MonkeyPatch.context() as patch:
        transport = {"type": "file", "log_file_path": str(events_file), "append": True}
        patch.setenv("AIRFLOW__OPENLINEAGE__TRANSPORT", json.dumps(transport))
        ok, log = box.run_dag(DAY)
    assert ok, log[-3000:]
    events = [json.loads(line) for line in events_file.read_text().splitlines()]
    with sqlite3.connect(box.airflow_home / "airflow.db") as db:
        query = "select a.uri from asset_event e join asset a on a.id = e.asset_id where e.id > ?"
        uris = [row[0] for row in db.execute(query, (before,))]
    return {"box": box, "events": events, "asset_uris": uris}


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
    box = lineage_run["box"]
    raw = [_named(datasets, f"{box.raw}/{name}/dt={DAY}") for name in ("orders", "customers")]
    curated = [_named(datasets, f"{box.curated}/{name}") for name in ("orders", "customers")]
    (audit,) = {m.group(0) for d in datasets if (m := AUDIT.search(d))}
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
