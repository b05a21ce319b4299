"""The kinds registry: required fields, shrinking readings and the bulk rule."""

from __future__ import annotations

from diffing.extract import EXTRACTORS
from diffing.kinds import (
    KINDS,
    KindSpec,
    is_bulk,
    reading_problem,
    schema_problem,
    shrink_problem,
    spec_for,
)


def rounds(count: int, **overrides) -> dict[str, dict]:
    base = {"number": "1", "date": "2026-01-01", "name": "CEC", "size": 100, "crs": 500}
    return {str(i): {**base, "number": str(i), **overrides} for i in range(count)}


def test_every_extractor_has_a_spec():
    assert set(EXTRACTORS) <= set(KINDS)


def test_a_field_missing_in_most_rounds_is_named():
    spec = KINDS["ee-rounds"]
    assert schema_problem(spec, rounds(10)) is None
    problem = schema_problem(spec, rounds(10, crs=None))
    assert problem == "drawCRS (lowest CRS score invited) missing in 10 of 10 round records"
    few = {**rounds(8), **{k + "x": v for k, v in rounds(2, size=None).items()}}
    assert schema_problem(spec, few) is None


def test_prefix_selects_the_kind_own_records():
    spec = KINDS["ee-categories"]
    records = {"category:stem": {"name": "STEM"}, "section:intro": {"section": "Intro"}}
    assert list(spec.own_records(records)) == ["category:stem"]
    assert schema_problem(spec, records) is None


def test_shrink():
    spec = KINDS["events"]
    assert shrink_problem(spec, 0, 0) == "no event records found"
    assert shrink_problem(spec, 4, 10) == "4 event records found, the last good reading had 10"
    assert shrink_problem(spec, 5, 10) is None
    assert shrink_problem(KINDS["page"], 0, 10) is None
    assert spec_for("nonesuch").name == "nonesuch"


def test_bulk_rule():
    spec = KINDS["ee-rounds"]
    assert not is_bulk(spec, 5, 5, 438, 5)
    assert is_bulk(spec, 6, 6, 438, 5)
    assert is_bulk(spec, 0, 438, 438, 5)
    assert not is_bulk(KINDS["page"], 1, 3, 4, 5)


def test_reading_problem():
    spec = KINDS["ee-rounds"]
    assert reading_problem(spec, rounds(438), 438) is None
    assert reading_problem(spec, rounds(1), 438) == (
        "1 round record found, the last good reading had 438"
    )
    assert reading_problem(spec, rounds(438, size=""), 438).startswith(
        "schema changed: drawSize (invitations issued) missing in 438 of 438"
    )
    # Entries roll off a news feed by design: fewer entries is no problem.
    assert reading_problem(KINDS["atom"], {"a": {"title": "x"}}, 50) is None


def test_a_kind_routine_movement_is_allowed_on_top_of_the_threshold():
    weekly = KindSpec("weekly", "every value moves each week", routine_changes=lambda known: known)
    assert not is_bulk(weekly, 50, 50, 50, 5)
    assert is_bulk(weekly, 56, 56, 50, 5)
    assert is_bulk(KINDS["ee-rounds"], 50, 50, 50, 5)
