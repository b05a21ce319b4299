"""Kind ``json``: records by JMESPath, keyed by a field or by path, changes field by field."""

from __future__ import annotations

import json

import pytest

from diffing.classify import WatchInfo, classify, removals
from diffing.diff import diff_documents
from diffing.document import ContentError
from diffing.extract import extract
from diffing.messages import describe
from tests.conftest import REAL, unpack

WATCH = WatchInfo("ee-draws-json", "json", "express-entry")


def doc(data, records="rounds[]", key="drawNumber"):
    return extract("json", json.dumps(data).encode(), records=records, key=key)


def test_real_rounds_feed_keyed_by_draw_number(tmp_path):
    paths = unpack(REAL / "ee_rounds" / "rounds_array_series2_all_versions.tar.xz", tmp_path)
    first = next(p for p in paths if p.name.startswith("2025-02-05T1909Z"))
    later = next(p for p in paths if p.name.startswith("2025-02-17T1909Z"))
    old = extract("json", first.read_bytes(), records="@", key="drawNumber")
    new = extract("json", later.read_bytes(), records="@", key="drawNumber")
    assert "335" in old.records and old.records["335"]["drawNumber"] == "335"
    diff = diff_documents(old.text, new.text, old.records, new.records, old.records)
    changes = classify(WATCH, diff)
    added = [c for c in changes if c.kind == "json_record_added"]
    assert [c.key for c in added] == sorted(set(new.records) - set(old.records))
    corrected = [c for c in changes if c.kind == "json_record_changed"]
    assert [c.key for c in corrected] == ["335"]
    assert corrected[0].data["changes"] == {
        "drawCutOff": ["November 14, 2025 at 02:52:14 UTC", "November 14, 2024 at 02:52:14 UTC"]
    }
    title, summary = describe("json_record_changed", corrected[0].data)
    assert title == "ee-draws-json: 335 changed"
    assert summary == (
        "drawCutOff: November 14, 2025 at 02:52:14 UTC → November 14, 2024 at 02:52:14 UTC"
    )


def test_without_a_key_records_are_named_by_their_path():
    document = doc({"rounds": [{"a": 1}, {"a": 2}]}, key=None)
    assert document.records == {"[0]": {"a": 1}, "[1]": {"a": 2}}
    named = doc({"programs": {"iec": {"weeks": 4}, "eta": {"minutes": 5}}}, "programs", None)
    assert set(named.records) == {"iec", "eta"}


def test_nested_fields_change_one_by_one_and_removals_are_told():
    old = doc({"rounds": [{"drawNumber": "1", "crs": {"min": 500, "max": 600}}]})
    new = doc({"rounds": [{"drawNumber": "1", "crs": {"min": 510, "max": 600}}]})
    diff = diff_documents(old.text, new.text, old.records, new.records, old.records)
    (change,) = classify(WATCH, diff)
    assert change.data["changes"] == {"crs.min": [500, 510]}
    assert describe(change.kind, change.data, "fr")[1] == "crs.min\u00a0: 500 → 510"
    (gone,) = removals(WATCH, old.records)
    assert gone.kind == "json_record_removed"
    assert describe(gone.kind, gone.data)[0] == "ee-draws-json: record 1 removed"


@pytest.mark.parametrize(
    ("body", "records"),
    [(b"not json", "rounds[]"), (b'{"rounds": []}', "rounds[]"), (b'{"x": 1}', "rounds[]")],
)
def test_nothing_selected_is_a_fault_not_an_empty_snapshot(body, records):
    with pytest.raises(ContentError):
        extract("json", body, records=records, key="drawNumber")
