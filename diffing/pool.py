"""The Express Entry pool's score distribution, as every round of IRCC's feed carries it.

Each round holds ``drawDistributionAsOn`` and ``dd1`` … ``dd18``: how many candidates stood in
each CRS band on that date (the rounds page's labels: dd1 601–1200, dd2 501–600, dd3 451–500
split into dd4–dd8, dd9 401–450 split into dd10–dd14, dd15 351–400, dd16 301–350, dd17 0–300,
dd18 the total). The extractor keeps them as text in a round's ``fields``; this module reads
them as numbers, checks them, compares two of them and places a score in one. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from diffing.dates import first_date
from diffing.textutil import parse_int

TOTAL = "dd18"
# (field, lowest score, highest score), highest band first.
BANDS: tuple[tuple[str, int, int], ...] = (
    ("dd1", 601, 1200),
    ("dd2", 501, 600),
    ("dd3", 451, 500),
    ("dd4", 491, 500),
    ("dd5", 481, 490),
    ("dd6", 471, 480),
    ("dd7", 461, 470),
    ("dd8", 451, 460),
    ("dd9", 401, 450),
    ("dd10", 441, 450),
    ("dd11", 431, 440),
    ("dd12", 421, 430),
    ("dd13", 411, 420),
    ("dd14", 401, 410),
    ("dd15", 351, 400),
    ("dd16", 301, 350),
    ("dd17", 0, 300),
)
RANGE = {name: (low, high) for name, low, high in BANDS}
# The bands that cover 0–1200 once (they sum to the total), and the splits of two of them.
MAIN = ("dd1", "dd2", "dd3", "dd9", "dd15", "dd16", "dd17")
SPLITS = {
    "dd3": ("dd4", "dd5", "dd6", "dd7", "dd8"),
    "dd9": ("dd10", "dd11", "dd12", "dd13", "dd14"),
}
FIELDS = (*(name for name, _, _ in BANDS), TOTAL)
CHANGED = "pool_changed"
SHOWN_MOVES = 3


class DistributionError(ValueError):
    """A round's distribution that cannot be right (a band missing, bands not summing to the
    total): a fault of the feed, never news."""


@dataclass(frozen=True)
class Distribution:
    """One distribution: the date IRCC gives (ISO and as written), each band's count, total."""

    as_on: str
    as_on_text: str
    counts: dict[str, int]
    total: int

    def label(self, band: str) -> str:
        low, high = RANGE[band]
        return f"{low}–{high}"

    def split(self, band: str) -> bool:
        """Whether ``band``'s parts add up to it (IRCC's round 247 has a 451–500 band 180 off
        its five parts: the parts are not used then)."""
        parts = SPLITS.get(band, ())
        return bool(parts) and sum(self.counts[p] for p in parts) == self.counts[band]

    def finest(self, *others: Distribution) -> list[str]:
        """The narrowest bands that cover every score once, split only where this distribution
        and every one of ``others`` split consistently."""
        bands: list[str] = []
        for name in MAIN:
            if all(d.split(name) for d in (self, *others)):
                bands.extend(SPLITS[name])
            else:
                bands.append(name)
        return bands

    def same_figures(self, other: Distribution | None) -> bool:
        """Whether ``other`` has the same counts (IRCC re-dates a distribution now and then:
        rounds 386 and 387 carry the same one "as on" December 15 and 14, 2025)."""
        return other is not None and other.counts == self.counts and other.total == self.total


def read(record: dict[str, Any]) -> Distribution | None:
    """The distribution a stored round carries; None when the round has none at all.

    Raises DistributionError when it has one that is incomplete or does not add up.
    """
    fields = record.get("fields") or {}
    if not any(fields.get(name) for name in FIELDS):
        return None
    counts: dict[str, int] = {}
    for name in FIELDS:
        value = parse_int(fields.get(name))
        if value is None:
            raise DistributionError(f"round {record.get('number', '?')}: {name} missing")
        counts[name] = value
    total = counts.pop(TOTAL)
    main = sum(counts[name] for name in MAIN)
    if main != total:
        raise DistributionError(
            f"round {record.get('number', '?')}: the score bands sum to {main:,}, "
            f"its total {TOTAL} is {total:,}"
        )
    text = str(fields.get("drawDistributionAsOn", ""))
    found = first_date(text)
    return Distribution(found[0] if found else "", text, counts, total)


def newest_round(records: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """The round published last (by date, then number), the one whose distribution is current."""
    if not records:
        return None
    return max(records.values(), key=_order)


def _order(record: dict[str, Any]) -> tuple[str, int, str]:
    number = str(record.get("number", ""))
    digits = "".join(ch for ch in number if ch.isdigit())
    return (str(record.get("date") or ""), int(digits) if digits else 0, number)


def problem(records: dict[str, dict[str, Any]]) -> str | None:
    """Why the newest round's distribution cannot be told (a fault of the feed), or None."""
    newest = newest_round(records)
    if newest is None:
        return None
    try:
        read(newest)
    except DistributionError as exc:
        return f"pool distribution: {exc}"
    return None


def moves(before: Distribution, after: Distribution) -> list[dict[str, Any]]:
    """Every band of the finest split both share, largest change first (ties: higher band)."""
    order = {name: index for index, (name, _, _) in enumerate(BANDS)}
    rows = [
        {
            "band": band,
            "label": after.label(band),
            "before": before.counts[band],
            "after": after.counts[band],
        }
        for band in after.finest(before)
    ]
    rows.sort(key=lambda r: (-abs(r["after"] - r["before"]), order[r["band"]]))
    return rows


def change_data(before: Distribution | None, after: Distribution) -> dict[str, Any]:
    """A ``pool_changed`` change's data: date, total before and after, the bands that moved
    most (at most three) and every band now."""
    data: dict[str, Any] = {
        "as_on": after.as_on,
        "as_on_text": after.as_on_text,
        "total": after.total,
        "total_before": before.total if before else None,
        "as_on_before": before.as_on if before else None,
        "bands": {band: after.counts[band] for band in after.counts},
    }
    if before is not None:
        data["moves"] = [m for m in moves(before, after) if m["after"] != m["before"]][:SHOWN_MOVES]
    else:
        data["moves"] = []
    return data


@dataclass(frozen=True)
class Standing:
    """How many candidates stood above a score: ``low`` exactly above the band the score is in,
    ``high`` if every candidate of that band were above it too. ``band`` is None when the
    score is the top of its band (then ``low == high``)."""

    score: int
    low: int
    high: int
    band: str | None
    total: int


def standing(distribution: Distribution, score: int) -> Standing:
    """Candidates above ``score`` (strictly), as the band arithmetic allows: a range."""
    above, band = 0, None
    for name in distribution.finest():
        low, high = RANGE[name]
        count = distribution.counts[name]
        if low > score:
            above += count
        elif score < high:
            band = name
    extra = distribution.counts[band] if band else 0
    return Standing(score, above, above + extra, band, distribution.total)
