"""Kind ``events``: IRCC's recruitment events page → one record per event.

Events are the rows of the page's tables that have a date column: title, start and end
dates (ISO), place and the registration link. They are keyed by start date and place, so
a retitled event is not new while a rescheduled or relocated one is.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from diffing.dates import first_date
from diffing.document import Document
from diffing.extract.structure import slug
from diffing.extract.tables import Table, parse_table
from diffing.normalize import read_region, region_meta, to_lines

EVENT_PREFIX = "event:"


def extract(
    body: bytes, *, selector: str | None = None, url: str = "", region: str | None = None
) -> Document:
    """Every event listed in a table with a date column."""
    found = read_region(body, selector, region)
    root = found.root
    records: dict[str, dict[str, Any]] = {}
    for tag in root.find_all("table"):
        table = parse_table(tag)
        for record in table_events(table, url):
            records[f"{EVENT_PREFIX}{record['date']}:{slug(record['place'])}"] = record
    return Document(
        kind="events",
        text="\n".join(to_lines(root)),
        records=records,
        meta=region_meta(found),
    )


def table_events(table: Table, base_url: str = "") -> list[dict[str, Any]]:
    """Events in one table; none when it has no date column."""
    date_column = table.column("date")
    if date_column is None:
        return []
    title_column = table.column("event", "événement", "evenement", "titre", "title", "name", "nom")
    place_column = table.column("location", "place", "lieu", "endroit", "ville", "city")
    events = []
    for row in table.rows:
        when = first_date(row[date_column].text) if date_column < len(row) else None
        if when is None:
            continue
        link = next((cell.link for cell in row if cell.link), "")
        events.append(
            {
                "title": _cell(row, title_column if title_column is not None else 0),
                "date": when[0],
                "end": when[1],
                "when": _cell(row, date_column),
                "place": _cell(row, place_column),
                "link": urljoin(base_url, link) if link else "",
            }
        )
    return events


def _cell(row: list, column: int | None) -> str:
    return row[column].text if column is not None and column < len(row) else ""
