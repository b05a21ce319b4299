"""Numbers and dates as people write them, in English and French.

Shared by :mod:`diffing.messages` and the data kinds' renderers (:mod:`diffing.datamessages`).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
}


def fmt_int(value: int | None, lang: str = "en") -> str:
    """5000 → "5,000" in English, "5 000" in French; None → "?"."""
    if value is None:
        return "?"
    text = f"{value:,}"
    return text.replace(",", " ") if lang == "fr" else text


def plural(n: int, one: str, many: str, lang: str = "en") -> str:
    """ "1 change", "2 changes"; in French 0 and 1 take the singular ("0 modification")."""
    single = n in (0, 1) if lang == "fr" else n == 1
    return f"{fmt_int(n, lang)} {one if single else many}"


_MONTH_NUMBERS = {f"{number:02d}" for number in range(1, 13)}


def fmt_date(value: str, lang: str = "en") -> str:
    """An ISO date ("2025-03-06") as people write it: "March 6, 2025" / "6 mars 2025"; a month
    ("2026-04", Nova Scotia's monthly selections) as "April 2026" / "avril 2026"."""
    if isinstance(value, str) and len(value) == 7 and value[5:] in _MONTH_NUMBERS:
        return f"{MONTHS[lang if lang in MONTHS else 'en'][int(value[5:]) - 1]} {value[:4]}"
    try:
        day = date.fromisoformat(value[:10])
    except (TypeError, ValueError):
        return value or ""
    month = MONTHS[lang if lang in MONTHS else "en"][day.month - 1]
    if lang == "fr":
        return f"{'1er' if day.day == 1 else day.day} {month} {day.year}"
    return f"{month} {day.day}, {day.year}"


NBSP, NNBSP = "\u00a0", "\u202f"
_TAG = re.compile(r"(<[A-Za-z/][^<>]*>)")
_BEFORE_COLON = re.compile(r" (?=:)")
_BEFORE_HIGH = re.compile(r" (?=[;!?»])")
_AFTER_GUILLEMET = re.compile(r"(?<=«) ")


def french_spacing(text: str) -> str:
    """French text with the spaces French typography asks for (OQLF, Canada.ca): a no-break
    space before « : », a narrow no-break space before « ; ! ? » and inside « guillemets ».

    Only a space already there is changed, so a URL ("https://…"), a time ("13:00") or a
    sentence written without one is left as it is; HTML tags are never touched. Page text
    quoted in a message gets the same treatment: the normalizer has turned the page's own
    no-break spaces ("vous devez&#160;:") into plain ones, and this puts them back."""
    parts = _TAG.split(text)
    for index in range(0, len(parts), 2):
        part = _BEFORE_COLON.sub(NBSP, parts[index])
        part = _BEFORE_HIGH.sub(NNBSP, part)
        parts[index] = _AFTER_GUILLEMET.sub(NNBSP, part)
    return "".join(parts)


def fmt_moment(value: str | None, lang: str = "en") -> str:
    """A stored UTC time ("2026-12-06T04:24:56Z") as people write it: "December 6, 2026,
    04:24 UTC" / "6 décembre 2026 à 4 h 24 UTC"; anything else as it is."""
    text = value or ""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    if "T" not in text and " " not in text.strip():
        return fmt_date(text, lang)
    day = fmt_date(moment.date().isoformat(), lang)
    if lang == "fr":
        return f"{day} à {moment.hour} h {moment.minute:02d} UTC"
    return f"{day}, {moment.hour:02d}:{moment.minute:02d} UTC"
