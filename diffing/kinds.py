"""What each watch kind promises about its records: the registry the guards read.

One :class:`KindSpec` per kind says which records are the kind's own (a key prefix), which
fields every one of them must have (the schema guard), whether a structured reading that
finds too little can fall back to the page-level reading (never silent), and how many
changes one check of the kind normally brings (the bulk hold). Pure: no I/O.

To add a kind, add its KindSpec to ``KINDS`` (and its extractor and classifier).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from diffing import pool
from diffing.formats import plural

# A record field below this share of the kind's records → the schema changed.
REQUIRED_SHARE = 0.5
# A structured reading below this share of the records the watch had → it misread the page.
MIN_SHARE = 0.5
# One check touching more than this share of the watch's known records is a bulk.
BULK_SHARE = 0.2


def no_routine(known: int) -> int:
    """A kind whose checks normally bring a change or two: the configured threshold is enough."""
    return 0


def weekly_processing_times(known: int) -> int:
    """IRCC's weekly update moves up to a third of the program file's values (28 of 60 on
    2025-08-07, 20 groups) and a fifth of the country file's (334 of 1,700 on 2025-10-21,
    never more than its 8 programs as changes): half the values is routine, a rewrite is not."""
    return known // 2


def every_pool(known: int) -> int:
    """Each weekly IEC update moves the figures of every open pool; each pool's change goes
    only to that pool's followers."""
    return known


@dataclass(frozen=True)
class KindSpec:
    """The promises of one watch kind.

    ``required`` maps a record field to what it is (for ee-rounds, the feed's own field
    name first: the fault message names it). ``record_prefix`` selects the kind's own
    records among a Document's records (an ee-categories page also has section records);
    None means all of them. ``routine_changes(known)`` is how many subscriber changes one
    check normally brings for a watch with ``known`` records: the bulk hold allows that
    many on top of ``bulk_threshold`` and of its 20 % rule. ``fallback`` says whether the
    page-level reading (sections, sentences, tables) may stand in when the structured
    reading finds no records or fewer than ``min_share`` of what the watch had.
    ``removals_told`` says whether a record's disappearance is announced: such a kind that
    cannot fall back treats a reading that lost most of its records as a fault, never as
    removals (a feed truncated to one round). ``consistency(records)`` names figures that
    cannot be right together (a pool distribution whose bands miss its total), or None.
    """

    name: str
    description: str
    record_noun: str = "record"
    required: Mapping[str, str] = field(default_factory=dict)
    record_prefix: str | None = None
    fallback: bool = False
    routine_changes: Callable[[int], int] = no_routine
    min_share: float = MIN_SHARE
    removals_told: bool = False
    consistency: Callable[[Mapping[str, dict[str, Any]]], str | None] | None = None

    @property
    def structured(self) -> bool:
        """Whether the kind reads records of its own (every kind but ``page``)."""
        return self.name != "page"

    def own_records(self, records: Mapping[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """The kind's own records among a Document's records."""
        if self.record_prefix is None:
            return dict(records)
        return {k: v for k, v in records.items() if k.startswith(self.record_prefix)}


KINDS: dict[str, KindSpec] = {
    spec.name: spec
    for spec in (
        KindSpec(
            "page",
            "any program page: sections of sentences, table rows",
            record_noun="section",
        ),
        KindSpec(
            "ee-rounds",
            "the Express Entry rounds JSON feed, one record per draw",
            record_noun="round",
            required={
                "number": "drawNumber (the draw's number)",
                "date": "drawDate (the day of the draw)",
                "name": "drawName (the draw type)",
                "size": "drawSize (invitations issued)",
                "crs": "drawCRS (lowest CRS score invited)",
            },
            removals_told=True,
            consistency=pool.problem,
        ),
        KindSpec(
            "ee-categories",
            "the category-based selection page, one record per category",
            record_noun="category",
            required={"name": "the category's name"},
            record_prefix="category:",
            fallback=True,
            removals_told=True,
        ),
        KindSpec(
            "events",
            "recruitment events, one record per event",
            record_noun="event",
            required={"title": "the event's title", "date": "the event's start date"},
            record_prefix="event:",
            fallback=True,
        ),
        KindSpec(
            "atom",
            "an Atom feed, one record per entry",
            record_noun="entry",
            required={"title": "the entry's <title> or description"},
        ),
        KindSpec(
            "pnp-updates",
            "a provincial nominee program's updates page, one record per dated entry",
            record_noun="entry",
            required={"date": "the entry's date", "headline": "the entry's headline"},
            fallback=True,
        ),
        KindSpec(
            "processing-times",
            "IRCC's processing-times data files, one record per program (and country) value",
            record_noun="processing-time",
            required={"program": "the program's key", "value": "the processing time"},
            routine_changes=weekly_processing_times,
        ),
        KindSpec(
            "iec-pools",
            "IRCC's IEC selections.xml, one record per country pool",
            record_noun="pool",
            required={"location": "the pool's location attribute", "quota": "<quota>"},
            routine_changes=every_pool,
        ),
        KindSpec(
            "json",
            "any JSON file, records selected by a JMESPath",
            record_noun="record",
        ),
    )
}


def spec_for(kind: str) -> KindSpec:
    """The KindSpec of ``kind``; an unknown kind reads as a plain page (no promises)."""
    return KINDS.get(kind) or KindSpec(kind, "unregistered kind", record_noun="record")


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def schema_problem(spec: KindSpec, records: Mapping[str, dict[str, Any]]) -> str | None:
    """Name the required field that most of the kind's records lack, or None.

    A field missing or renamed in most records means the format changed: reading on would
    report every record as changed. One record lacking a field is data, not a format.
    """
    own = spec.own_records(records)
    if not own or not spec.required:
        return None
    for name, what in spec.required.items():
        missing = sum(1 for record in own.values() if not _present(record.get(name)))
        if missing > len(own) * (1 - REQUIRED_SHARE):
            return f"{what} missing in {missing} of {len(own)} {spec.record_noun} records"
    return None


def shrink_problem(spec: KindSpec, found: int, reference: int) -> str | None:
    """Say so when a structured reading found no records or too few of the ``reference``."""
    if not spec.structured:
        return None
    if found == 0:
        return f"no {spec.record_noun} records found"
    if reference and found < reference * spec.min_share:
        records = plural(found, f"{spec.record_noun} record", f"{spec.record_noun} records")
        return f"{records} found, the last good reading had {reference}"
    return None


def reading_problem(
    spec: KindSpec, records: Mapping[str, dict[str, Any]], reference: int
) -> str | None:
    """Why a structured reading cannot be trusted (schema changed, too few records), or None.

    ``reference`` is how many of the kind's records the watch has now (0 before its
    baseline). Shrinking only matters to a kind that can fall back or announces removals.
    """
    if not spec.structured:
        return None
    problem = schema_problem(spec, records)
    if problem:
        return f"schema changed: {problem}"
    problem = spec.consistency(spec.own_records(records)) if spec.consistency else None
    if problem:
        return f"schema changed: {problem}"
    if spec.fallback or spec.removals_told:
        found = len(spec.own_records(records))
        return shrink_problem(spec, found, reference)
    return None


def is_bulk(
    spec: KindSpec, subscriber_changes: int, touched: int, known: int, threshold: int
) -> bool:
    """Whether one check's changes are a bulk to hold for review.

    More subscriber changes than ``threshold`` plus the kind's routine, or more records
    touched (added, changed, removals announced) than 20 % of the ``known`` records and
    than the threshold plus routine (so a small page's one edit is never a bulk).
    """
    routine = spec.routine_changes(known)
    allowed = threshold + routine
    if subscriber_changes > allowed:
        return True
    return touched > allowed and touched > max(known * BULK_SHARE, routine)
