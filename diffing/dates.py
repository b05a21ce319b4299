"""Finding dates written the way canada.ca and the provinces write them, in English and French.

"June 18, 2026", "March 20 to 21, 2026", "March 30 to April 2, 2026", "20 et 21 mars 2026",
"1er mai 2026", "2026-06-18", "Sept. 19, 2018", "March 16" when the year is known from
context, and numeric dates: "6/18/2026" month first (as Prince Edward Island's draw table writes
them) unless the text's own dates prove the day comes first ("18/06/2026", ``numeric_order``).
Results are ISO dates ("2026-03-20") so records compare and sort cleanly.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "janvier": 1,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "decembre": 12,
}
_ABBREVIATIONS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
    "janv": 1,
    "fevr": 2,
    "juil": 7,
}
_MONTH = (
    r"(?<![a-z])(?P<{name}>"
    + "|".join(sorted(set(MONTHS) | set(_ABBREVIATIONS), key=len, reverse=True))
    + r")\.?"
)
_DAY = r"(?<!\d)(?P<{name}>[0-3]?\d)(?:er|st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_TO = r"\s*(?:to|-|–|—|and|au|et|à)\s*"

# Month-first (English): "March 20 to April 2, 2026", "March 20 to 21, 2026", "June 18, 2026".
_EN = re.compile(
    _MONTH.format(name="m1")
    + r"\s+"
    + _DAY.format(name="d1")
    + r"(?:"
    + _TO
    + r"(?:"
    + _MONTH.format(name="m2")
    + r"\s+)?"
    + _DAY.format(name="d2")
    + r")?"
    + r"(?:\s*,?\s*"
    + _YEAR
    + r")?\b",
)
# Day-first (French, and "18 June 2026"): "20 et 21 mars 2026", "30 mars au 2 avril 2026".
_FR = re.compile(
    r"(?:du\s+)?"
    + _DAY.format(name="d1")
    + r"(?:\s+"
    + _MONTH.format(name="m1")
    + r")?"
    + r"(?:"
    + _TO
    + _DAY.format(name="d2")
    + r")?"
    + r"\s+"
    + _MONTH.format(name="m2")
    + r"(?:\s+"
    + _YEAR
    + r")?\b",
)
_ISO = re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b")
_NUMERIC = re.compile(
    r"(?<![\d/.])(?P<a>[0-3]?\d)/(?P<b>[0-3]?\d)/(?P<year>(?:19|20)\d\d)(?![\d/])"
)
MONTH_FIRST, DAY_FIRST = "mdy", "dmy"


def fold(text: str) -> str:
    """Lowercase without accents: "Février" → "fevrier"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def month_number(name: str) -> int | None:
    """1-12 for an English or French month name or abbreviation, else None."""
    key = fold(name).rstrip(".")
    return MONTHS.get(key) or _ABBREVIATIONS.get(key)


def numeric_order(text: str) -> str:
    """How ``text`` writes its numeric dates: day first only when one of them proves it
    ("18/06/2026"), else month first, as North American pages write "6/18/2026"."""
    for match in _NUMERIC.finditer(text):
        first, second = int(match["a"]), int(match["b"])
        if first > 12 >= second:
            return DAY_FIRST
        if second > 12 >= first:
            return MONTH_FIRST
    return MONTH_FIRST


def find_dates(
    text: str, default_year: int | None = None, order: str = MONTH_FIRST
) -> list[tuple[str, str | None, int]]:
    """Every date or date range in ``text``: (start ISO, end ISO or None, position).

    A date without a year takes ``default_year``; without one it is skipped. ``order`` says
    how numeric dates are written (``numeric_order``).
    """
    return [(start, end, span[0]) for start, end, span in date_spans(text, default_year, order)]


def date_spans(
    text: str, default_year: int | None = None, order: str = MONTH_FIRST
) -> list[tuple[str, str | None, tuple[int, int]]]:
    """``find_dates`` with where each date is written: (start, end, (from, to)) in ``text``.

    Positions are those of the accent-folded text, the same as ``text``'s for the Latin
    letters these pages use.
    """
    folded = fold(text)
    found: list[tuple[str, str | None, tuple[int, int]]] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    for match in _ISO.finditer(folded):
        day = _make(int(match["year"]), int(match["m"]), int(match["d"]))
        if day:
            found.append((day, None, match.span()))
            taken.append(match.span())
    for match in _NUMERIC.finditer(folded):
        first, second = int(match["a"]), int(match["b"])
        month, day_of = (second, first) if order == DAY_FIRST else (first, second)
        day = _make(int(match["year"]), month, day_of)
        if day:
            found.append((day, None, match.span()))
            taken.append(match.span())
    for pattern, first_month, second_month in ((_EN, "m1", "m2"), (_FR, "m1", "m2")):
        for match in pattern.finditer(folded):
            if not free(*match.span()):
                continue
            year = int(match["year"]) if match["year"] else default_year
            if year is None:
                continue
            if pattern is _EN:
                m1 = month_number(match[first_month])
                m2 = month_number(match[second_month]) if match[second_month] else m1
            else:
                m2 = month_number(match[second_month])
                m1 = month_number(match[first_month]) if match[first_month] else m2
            if m1 is None or m2 is None:
                continue
            start = _make(year, m1, int(match["d1"]))
            end = _make(year, m2, int(match["d2"])) if match["d2"] else None
            if start is None:
                continue
            found.append((start, end, match.span()))
            taken.append(match.span())
    return sorted(found, key=lambda item: item[2])


def first_date(
    text: str, default_year: int | None = None, order: str = MONTH_FIRST
) -> tuple[str, str | None] | None:
    """The first date or range in ``text`` as (start, end or None), or None."""
    dates = find_dates(text, default_year, order)
    return (dates[0][0], dates[0][1]) if dates else None


def leading_date(
    text: str, default_year: int | None = None, order: str = MONTH_FIRST
) -> tuple[str, str | None] | None:
    """The date ``text`` starts with (headings such as "April 30, 2026"), or None."""
    dates = find_dates(text, default_year, order)
    if not dates or dates[0][2] > 4:
        return None
    return dates[0][0], dates[0][1]


def _make(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None
