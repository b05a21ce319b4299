"""Kind ``events``: IRCC's recruitment events page → one record per event.

The page is read as a block tree (``blocks``). An event is a table row under a date
column, a list item, or a titled block (a section under a heading of any level, an
accordion, a panel or card, a definition-list term) with a date and a place or a link.
Its record: title, start and end dates (ISO), the date as written, the place and the
registration link. The place is a "Location:" / "Lieu :" field, a place column, or what
follows the date ("March 20 to 21, 2026, Paris, France"). Events are keyed by start date
and place, so a retitled event is not new while a rescheduled or relocated one is.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

from diffing.dates import date_spans
from diffing.document import Document
from diffing.extract.blocks import Block, Item, build, label_of
from diffing.extract.structure import slug
from diffing.extract.tables import Table
from diffing.normalize import read_region, region_meta, to_lines
from diffing.recordkeys import EVENT_PREFIX

PLACE_LABELS = {
    "location",
    "place",
    "where",
    "venue",
    "city",
    "lieu",
    "endroit",
    "ville",
    "ou",
    "où",
}
DATE_LABELS = {"date", "dates", "when", "quand"}
_LABEL = re.compile(r"^\s*([^:：]{1,24}?)\s*[:：]\s*(.*)$", re.S)
_SEPARATORS = " ,;:–—-|·•()"
_MAX_DATE_ITEM = 200


def extract(
    body: bytes, *, selector: str | None = None, url: str = "", region: str | None = None
) -> Document:
    """Every event on the page, whatever its layout."""
    found = read_region(body, selector, region)
    root = found.root
    records: dict[str, dict[str, Any]] = {}
    for record in events(build(root), url):
        records.setdefault(f"{EVENT_PREFIX}{record['date']}:{slug(record['place'])}", record)
    return Document(
        kind="events", text="\n".join(to_lines(root)), records=records, meta=region_meta(found)
    )


def events(tree: Block, base_url: str = "") -> list[dict[str, Any]]:
    """Events in page order: table rows, list items, then titled blocks, each once."""
    found: list[dict[str, Any]] = []
    tables: list[int] = []
    for block in tree.walk():
        claimed = 0
        for item in block.items:
            if item.kind == "row" and item.table is not None:
                if id(item.table) not in tables:
                    tables.append(id(item.table))
                    rows = table_events(item.table, base_url)
                    found.extend(rows)
                claimed += 1 if item.table.column("date") is not None else 0
            elif item.kind == "li":
                event = item_event(item, base_url)
                if event is not None:
                    found.append(event)
                    claimed += 1
        if not claimed and block.source not in ("root", "h1"):
            event = block_event(block, base_url)
            if event is not None:
                found.append(event)
    return found


def table_events(table: Table, base_url: str = "") -> list[dict[str, Any]]:
    """Events in one table; none when it has no date column."""
    date_column = table.column("date")
    if date_column is None:
        return []
    title_column = table.column("event", "événement", "evenement", "titre", "title", "name", "nom")
    place_column = table.column("location", "place", "lieu", "endroit", "ville", "city")
    events = []
    for row in table.rows:
        when = _first(row[date_column].text) if date_column < len(row) else None
        if when is None:
            continue
        link = next((cell.link for cell in row if cell.link), "")
        events.append(
            record(
                _cell(row, title_column if title_column is not None else 0),
                when,
                _cell(row, place_column),
                urljoin(base_url, link) if link else "",
            )
        )
    return events


def item_event(item: Item, base_url: str = "") -> dict[str, Any] | None:
    """A list item such as "Forum – Paris – March 20 to 21, 2026 – Paris, France"."""
    if len(item.text) > _MAX_DATE_ITEM:
        return None
    when = _first(item.text)
    if when is None:
        return None
    title = item.text[: when[3][0]].strip(_SEPARATORS)
    place = _after(item.text, when[3][1])
    link = item.links[0] if item.links else ""
    if not title or not (place or link):
        return None
    return record(title, when, place, urljoin(base_url, link) if link else "")


def block_event(block: Block, base_url: str = "") -> dict[str, Any] | None:
    """A titled block whose own content gives a date and a place or a link."""
    if not block.title:
        return None
    when: tuple[str, str | None, str, tuple[int, int]] | None = None
    place = ""
    links = list(block.title_links)
    for item in block.items:
        links.extend(item.links)
        label, value = _labelled(item.text)
        if label in PLACE_LABELS and not place:
            place = value
            continue
        if when is None and len(item.text) <= _MAX_DATE_ITEM:
            text = value if label in DATE_LABELS else item.text
            when = _first(text)
            if when is not None and not place:
                place = _after(text, when[3][1])
    if when is None or not (place or links):
        return None
    link = links[0] if links else ""
    return record(block.title, when, place, urljoin(base_url, link) if link else "")


def record(
    title: str, when: tuple[str, str | None, str, tuple[int, int]], place: str, link: str
) -> dict[str, Any]:
    """An event record."""
    return {
        "title": title,
        "date": when[0],
        "end": when[1],
        "when": when[2],
        "place": place,
        "link": link,
    }


def _first(text: str) -> tuple[str, str | None, str, tuple[int, int]] | None:
    spans = date_spans(text)
    if not spans:
        return None
    start, end, (a, b) = spans[0]
    return start, end, text[a:b].strip(), (a, b)


def _after(text: str, position: int) -> str:
    """The place written after a date: "…, 2026, Paris, France" → "Paris, France"."""
    rest = text[position:].strip(_SEPARATORS)
    rest = re.sub(r"^(?:in|at|à|au|en)\s+(?=[A-ZÀ-Ý])", "", rest)
    return re.split(r"(?<=[a-z)])\.\s|\s[–—|]\s", rest)[0].strip(_SEPARATORS + ".")


def _labelled(text: str) -> tuple[str | None, str]:
    match = _LABEL.match(text)
    if match is None:
        return None, text
    return label_of(match.group(1)), match.group(2).strip()


def _cell(row: list, column: int | None) -> str:
    return row[column].text if column is not None and column < len(row) else ""
