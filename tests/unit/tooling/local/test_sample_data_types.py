"""The expected counts compare directly with a Glue manifest entry: same keys, same order."""

from __future__ import annotations

from collections import Counter

from tooling.local.sample_data_types import ALL_KINDS, FILE_KINDS, RECORD_KINDS, DatasetCounts


def test_as_manifest_has_the_manifest_shape_sorted() -> None:
    counts = DatasetCounts(
        read=10,
        written=6,
        deduplicated=1,
        quarantined=Counter({"wrong_type": 2, "invalid_value": 1}),
        schema_drift=Counter({"gift_wrap": 1}),
        files=["b.jsonl", "a.jsonl"],
        empty_files=["b.jsonl"],
    )
    assert counts.as_manifest() == {
        "read": 10,
        "written": 6,
        "deduplicated": 1,
        "quarantined": {"invalid_value": 1, "wrong_type": 2},
        "quarantined_total": 3,
        "files": ["a.jsonl", "b.jsonl"],
        "empty_files": ["b.jsonl"],
        "unreadable_files": [],
        "unexpected_files": [],
        "schema_drift": {"unexpected_fields": {"gift_wrap": 1}},
    }
    assert list(counts.as_manifest()["quarantined"]) == ["invalid_value", "wrong_type"]


def test_every_kind_is_a_record_kind_or_a_file_kind() -> None:
    assert set(ALL_KINDS) == set(RECORD_KINDS) | set(FILE_KINDS)
    assert not set(RECORD_KINDS) & set(FILE_KINDS)
