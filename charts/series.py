"""The figures a chart plots, read from stored records and snapshots: plain values, no drawing.

Each function returns exactly the stored figures it will plot, so a test can compare a chart's
data with the database, and the caption's text alternative (min, max, last) is computed from
the same values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from diffing import pool
from diffing.document import Document
from diffing.durations import days
from diffing.extract.iec_pools import AS_OF_KEY as IEC_AS_OF
from diffing.extract.processing_times import AS_OF_KEY as PTIME_AS_OF
from diffing.extract.processing_times import as_of
from notifier.drawtypes import DRAW_TYPES, draw_type

MONTHS = 12
POOL_WEEKS = 4


@dataclass(frozen=True)
class Point:
    """One plotted value: its day, the value, and the text it stands for (IRCC's "5 weeks",
    a draw's number)."""

    day: date
    value: float
    text: str = ""


@dataclass
class Cutoffs:
    """CRS cut-offs of the last 12 months, per draw type (in /drawtypes order)."""

    by_type: dict[str, list[Point]] = field(default_factory=dict)
    score: int | None = None

    def points(self) -> list[Point]:
        return [p for points in self.by_type.values() for p in points]


def _day(text: Any) -> date | None:
    try:
        return date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


def cutoffs(draws: list[dict[str, Any]], score: int | None = None) -> Cutoffs:
    """Each draw of the 12 months before the newest one, by type, oldest first."""
    dated = [(d, _day(d.get("date"))) for d in draws if d.get("crs") is not None]
    dated = [(d, day) for d, day in dated if day is not None]
    result = Cutoffs(score=score)
    if not dated:
        return result
    since = max(day for _, day in dated) - timedelta(days=365)
    groups: dict[str, list[Point]] = {}
    for record, day in sorted(dated, key=lambda item: (item[1], _number(item[0]))):
        if day > since:
            kind = draw_type(record.get("name"))
            groups.setdefault(kind, []).append(Point(day, record["crs"], str(record["number"])))
    result.by_type = {kind: groups[kind] for kind in DRAW_TYPES if kind in groups}
    return result


def _number(record: dict[str, Any]) -> int:
    digits = "".join(ch for ch in str(record.get("number", "")) if ch.isdigit())
    return int(digits) if digits else 0


def distributions(draws: list[dict[str, Any]]) -> list[pool.Distribution]:
    """Every distinct distribution the rounds carry, oldest first (a re-dated copy of the same
    figures counts once, under its first date)."""
    found: dict[str, pool.Distribution] = {}
    for record in draws:
        try:
            distribution = pool.read(record)
        except pool.DistributionError:
            continue
        if distribution is not None and distribution.as_on:
            found.setdefault(distribution.as_on, distribution)
    out: list[pool.Distribution] = []
    for as_on in sorted(found):
        if not (out and out[-1].same_figures(found[as_on])):
            out.append(found[as_on])
    return out


def pool_pair(
    draws: list[dict[str, Any]],
) -> tuple[pool.Distribution, pool.Distribution | None] | None:
    """The newest distribution and the newest one at least four weeks older (None if none)."""
    found = distributions(draws)
    if not found:
        return None
    now = found[-1]
    limit = (date.fromisoformat(now.as_on) - timedelta(weeks=POOL_WEEKS)).isoformat()
    earlier = [d for d in found if d.as_on <= limit]
    return now, (earlier[-1] if earlier else None)


def ptime(history: list[tuple[str, str]], program: str) -> tuple[str, list[Point]] | None:
    """A program's processing time at each snapshot where its "as of" date moved: (record key,
    points in days). ``program`` is a record key ("iec/iec") or a program name ("iec")."""
    key = None
    points: list[Point] = []
    for observed_at, text in history:
        records = Document.from_json(text).records
        if key is None:
            key = ptime_key(records, program)
            if key is None:
                continue
        record = records.get(key)
        if record is None:
            continue
        dates = records.get(PTIME_AS_OF, {}).get("dates", {})
        stamp = as_of(dates, record["group"], record["program"])
        day = _ircc_day(stamp) or _day(observed_at)
        value = days(record["value"])
        if day is None or value is None:
            continue
        point = Point(day, value, record["value"])
        if points and points[-1].day == day:
            points[-1] = point
        elif not points or points[-1].day < day:
            points.append(point)
    return (key, points) if key else None


def ptime_key(records: dict[str, dict[str, Any]], program: str) -> str | None:
    """The record key of ``program`` (a key such as "iec/iec", or a program's name) among a
    program file's records; None when it is not there (country values are not programs)."""
    wanted = program.strip().lower()
    if wanted in records and "country" not in records[wanted]:
        return wanted
    for key, record in records.items():
        if record.get("program") == wanted and "country" not in record:
            return key
    return None


def _ircc_day(text: str) -> date | None:
    """IRCC's "December 23, 2025" as a date; None for anything else."""
    try:
        return datetime.strptime(text.strip(), "%B %d, %Y").date()
    except (AttributeError, ValueError):
        return None


@dataclass
class PoolSeason:
    """One IEC pool over the season: invitations to date and chances, per weekly update."""

    record: dict[str, Any]
    invitations: list[Point] = field(default_factory=list)
    chances: list[Point] = field(default_factory=list)


def iec_season(history: list[tuple[str, str]], key: str) -> PoolSeason | None:
    """A pool's (``"fr/wh"``) invitations and chances at each weekly update of the file."""
    season: PoolSeason | None = None
    for observed_at, text in history:
        records = Document.from_json(text).records
        record = records.get(key)
        if record is None:
            continue
        stamp = records.get(IEC_AS_OF, {}).get("chancesdate", "")
        day = _ircc_day(stamp) or _day(observed_at)
        if day is None:
            continue
        if season is None:
            season = PoolSeason(record)
        season.record = record
        for name, series in (("invitations", season.invitations), ("chances", season.chances)):
            value = record.get(name)
            if not isinstance(value, int | float):
                continue
            point = Point(day, value, str(value))
            if series and series[-1].day == day:
                series[-1] = point
            elif not series or series[-1].day < day:
                series.append(point)
    return season
