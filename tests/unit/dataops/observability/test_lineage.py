"""The curated -> warehouse source event: names as the Glue job and dbt's processor give them."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from openlineage.client.serde import Serde

from glue_jobs.orders_transform import lineage_name
from include.dataops.observability import lineage
from include.dataops.settings import Lake, Settings


@pytest.mark.parametrize("location", ["s3://bucket/curated/orders/", "s3a://b/x", "/tmp/lake/curated/orders"])
def test_storage_names_match_the_glue_jobs(location: str) -> None:
    assert lineage.storage_name(location) == lineage_name(location)


def test_each_curated_location_feeds_the_warehouse_source_dbt_reads(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = {"conn_type": "duckdb", "host": "/data/warehouse.duckdb"}
    monkeypatch.setenv(f"AIRFLOW_CONN_{settings.warehouse.conn_id.upper()}", json.dumps(conn))
    own = replace(settings, lake=Lake(raw="s3://r/raw", curated="s3://c/curated/", quarantine="s3://q/q"))
    event = json.loads(
        Serde.to_json(lineage.source_link_event(own, "dataops", "01a23379-86be-7c94-b3ea-0a4f6a0ba090"))
    )
    assert [(d["namespace"], d["name"]) for d in event["inputs"]] == [
        ("s3://c", "curated/orders"),
        ("s3://c", "curated/customers"),
    ]
    assert [(d["namespace"], d["name"]) for d in event["outputs"]] == [
        ("duckdb:///data/warehouse.duckdb", "warehouse.curated.orders"),
        ("duckdb:///data/warehouse.duckdb", "warehouse.curated.customers"),
    ]
    assert (event["eventType"], event["job"]["name"]) == ("COMPLETE", "orders_nightly.curated_sources")


def test_nothing_is_sent_while_the_provider_is_disabled(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow.providers.openlineage import conf

    monkeypatch.setattr(conf, "is_disabled", lambda: True)
    assert lineage.emit_run_links(settings, "audit_20261123_0123abcd", ("orders",)) is False
