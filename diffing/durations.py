"""IRCC's processing-time strings ("16 weeks", "Part 1: 4 months", "5 minutes") as days.

Used to rank moves ("the largest moves first"), never to rewrite what IRCC wrote.
"""

from __future__ import annotations

import re

_AMOUNT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(minute|hour|day|week|month|year)s?\b", re.IGNORECASE)
_DAYS = {"minute": 1 / 1440, "hour": 1 / 24, "day": 1, "week": 7, "month": 30, "year": 365}


def days(value: str | None) -> float | None:
    """ "16 weeks" → 112.0; "Not enough data", "No processing time available" → None."""
    if not value:
        return None
    match = _AMOUNT.search(value)
    if match is None:
        return None
    amount = float(match.group(1).replace(",", "."))
    return amount * _DAYS[match.group(2).lower()]


def change_size(before: str | None, after: str | None) -> float:
    """How far a value moved, in days, for ranking the largest moves first.

    A move to or from a word ("Not enough data") or a value that appears or goes has no size:
    it ranks after every move between two durations.
    """
    old, new = days(before), days(after)
    if old is None or new is None:
        return -1.0
    return abs(new - old)


def move(before: str | None, after: str | None) -> tuple[float, float] | None:
    """(days, percent) a value moved by, signed (negative: shorter); None when either side is
    not a duration ("Not enough data", a value that appears or goes)."""
    old, new = days(before), days(after)
    if old is None or new is None:
        return None
    return new - old, (100.0 * (new - old) / old) if old else 100.0


def unit_of(value: str | None) -> str | None:
    """The unit IRCC wrote a value in ("16 weeks" → "week"), or None."""
    match = _AMOUNT.search(value or "")
    return match.group(2).lower() if match else None


def in_unit(delta_days: float, unit: str) -> float:
    """A number of days in ``unit`` (weeks, months…)."""
    return delta_days / _DAYS[unit]
