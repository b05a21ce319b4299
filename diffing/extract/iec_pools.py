"""Kind ``iec-pools``: IRCC's IEC ``selections.xml`` → one record per country pool.

The file has a ``<chancesdate>`` and one ``<country location="France" category="wh"
code="fr">`` per pool, whose ``quota``, ``first``, ``second``, ``invitations``,
``candidates``, ``spots`` and ``chances`` are CDATA text. Numbers are written "11,463";
some values are words ("Unlimited", "To be announced"), kept as written. ``&nbsp;`` may sit
in the CDATA (and, in a careless edit, outside it, where XML does not know it), lines end
in CRLF and blank lines come and go: none of that changes a record.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from typing import Any

from diffing.document import ContentError, Document
from diffing.textutil import decode, squash

AS_OF_KEY = "as-of"
FIELDS = ("quota", "first", "second", "invitations", "candidates", "spots", "chances")
NUMBER_FIELDS = ("quota", "invitations", "candidates", "spots", "chances")
_NUMBER = re.compile(r"\d{1,3}(?:[,\u00a0 ]\d{3})+|\d+")
_DOCTYPE = re.compile(r"<!DOCTYPE[^>\[]*(\[[^\]]*\])?\s*>", re.IGNORECASE)


def extract(body: bytes, *, selector: str | None = None, url: str = "") -> Document:
    """Parse selections.xml into records keyed ``"<code>/<category>"`` (``"fr/wh"``)."""
    root = parse(body)
    records: dict[str, dict[str, Any]] = {}
    for element in root.iter("country"):
        code = (element.get("code") or "").strip().lower()
        category = (element.get("category") or "").strip().lower()
        if not code or not category:
            continue
        record: dict[str, Any] = {
            "code": code,
            "category": category,
            "location": _clean(element.get("location")),
        }
        extra: dict[str, str] = {}
        for child in element:
            value = _clean(child.text)
            if child.tag in NUMBER_FIELDS:
                record[child.tag] = number(value)
            elif child.tag in FIELDS:
                record[child.tag] = value
            elif value:
                extra[child.tag] = value
        if extra:
            record["extra"] = extra
        records[f"{code}/{category}"] = record
    if not records:
        raise ContentError("not the IEC pools file", "no <country> pool")
    chancesdate = root.find(".//chancesdate")
    lines = [_line(record) for record in records.values()]
    records[AS_OF_KEY] = {
        "chancesdate": _clean(chancesdate.text if chancesdate is not None else "")
    }
    return Document(kind="iec-pools", text="\n".join(lines), records=records)


def parse(body: bytes) -> ET.Element:
    """The XML tree, or ContentError for an error page or a truncated file.

    A DOCTYPE is dropped before parsing (no entity of the file's own is ever expanded) and
    a bare ``&nbsp;`` is read as the no-break space it means.
    """
    text = decode(body).strip()
    if not text:
        raise ContentError("empty body")
    text = _DOCTYPE.sub("", text).replace("&nbsp;", "&#160;")
    try:
        return ET.fromstring(text)
    except ET.ParseError as exc:
        raise ContentError("not the IEC pools file", f"invalid XML ({exc})") from exc


def number(value: str) -> int | str | None:
    """ "11,463" → 11463; "Unlimited" stays "Unlimited"; "" → None."""
    if not value:
        return None
    if _NUMBER.fullmatch(value):
        return int(re.sub(r"\D", "", value))
    return value


def _clean(text: str | None) -> str:
    """CDATA text as read: entities (``&nbsp;``) decoded, whitespace squashed."""
    return squash(html.unescape(text or ""))


def _line(record: dict[str, Any]) -> str:
    facts = ", ".join(f"{name} {record.get(name)}" for name in FIELDS if name in record)
    return f"{record['location']} ({record['category']}): {facts}"
