"""Hand-written raw files and quarantine reads for the Glue job's tests (no generator in the way)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

DAY = date(2026, 11, 23)


def write(lake: dict[str, str], dataset: str, name: str, body: bytes, day: date = DAY) -> Path:
    folder = Path(lake["RAW_ROOT"]) / dataset / f"dt={day.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(body)
    return folder / name


def order(order_id: str, updated_at: str, status: str = "shipped", customer: str = "C1") -> bytes:
    record = {
        "order_id": order_id,
        "customer_id": customer,
        "order_total": 12.5,
        "currency": "CAD",
        "order_status": status,
        "item_count": 2,
        "created_at": "2026-11-23T10:00:00Z",
        "updated_at": updated_at,
    }
    return json.dumps(record).encode() + b"\n"


def customer(customer_id: str) -> bytes:
    record = {
        "customer_id": customer_id,
        "customer_name": "Ada",
        "email": "ada@example.com",
        "country": "CA",
        "signup_at": "2025-01-01T00:00:00Z",
        "updated_at": "2026-11-23T01:00:00Z",
    }
    return json.dumps(record).encode() + b"\n"


def quarantined(lake: dict[str, str], dataset: str = "orders") -> list[dict[str, Any]]:
    folder = Path(lake["QUARANTINE_ROOT"]) / dataset / f"dt={DAY.isoformat()}"
    return [json.loads(line) for f in sorted(folder.glob("*.json")) for line in f.read_text().splitlines()]


def balanced(entry: dict[str, Any]) -> bool:
    return entry["read"] == entry["written"] + entry["quarantined_total"] + entry["deduplicated"]
