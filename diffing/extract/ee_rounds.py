"""Kind ``ee-rounds``: the Express Entry rounds JSON feed → one record per draw.

The feed's values are all strings ("5,000", the French feed "5 000"), newest first,
``drawNumber`` is not always an integer ("91a"), the file is re-indented by hand now and
then and its charset is undeclared. A saved copy may be the bare ``rounds`` array.
"""

from __future__ import annotations

import re
from typing import Any

from diffing.document import ContentError, Document
from diffing.textutil import load_json, parse_int, squash

_TAGS = re.compile(r"<[^>]+>")
_TYPED = {
    "drawNumber",
    "drawDate",
    "drawDateFull",
    "drawName",
    "drawSize",
    "drawCRS",
    "drawCutOff",
    "drawText2",
}


def extract(body: bytes, *, selector: str | None = None, url: str = "") -> Document:
    """Parse the feed (wrapped or bare) into records keyed by draw number."""
    data = load_json(body, "not the rounds feed")
    rounds = data.get("rounds") if isinstance(data, dict) else data
    if not isinstance(rounds, list) or not rounds:
        raise ContentError("not the rounds feed", "no 'rounds' array")
    records: dict[str, dict[str, Any]] = {}
    for raw in rounds:
        if not isinstance(raw, dict) or not str(raw.get("drawNumber", "")).strip():
            continue
        record = draw_record(raw)
        records[record["number"]] = record
    if not records:
        raise ContentError("not the rounds feed", "no round has a drawNumber")
    lines = [draw_line(r) for r in records.values()]
    return Document(kind="ee-rounds", text="\n".join(lines), records=records)


def draw_record(raw: dict[str, Any]) -> dict[str, Any]:
    """One draw: the fields people read, typed, plus every other field as stripped text."""
    fields = {str(k): _plain(v) for k, v in raw.items() if v is not None}
    return {
        "number": fields.get("drawNumber", ""),
        "date": fields.get("drawDate", ""),
        "date_full": fields.get("drawDateFull", ""),
        "name": fields.get("drawName", ""),
        "size": parse_int(fields.get("drawSize")),
        "crs": parse_int(fields.get("drawCRS")),
        "cutoff": fields.get("drawCutOff", ""),
        "programs": fields.get("drawText2", ""),
        "fields": {k: v for k, v in sorted(fields.items()) if k not in _TYPED},
    }


def _plain(value: Any) -> str:
    """A feed value as plain text: tags (the feed embeds <a> links) and extra spaces removed."""
    text = str(value)
    if "<" in text:
        text = _TAGS.sub("", text)
    return squash(text)


def draw_line(record: dict[str, Any]) -> str:
    """A one-line summary of a draw, used for the readable text and line diffs."""
    return (
        f"#{record['number']} {record['date']} {record['name']}: "
        f"size {record['size']}, CRS {record['crs']}"
    )
