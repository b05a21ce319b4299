"""Kind ``page``: any program page, as sections of sentences plus one record per table row.

The classifier diffs sentences inside each section (``rule_change`` when a figure or a
list item changed) and table rows by their first column (occupations added or removed).
"""

from __future__ import annotations

from diffing.document import Document
from diffing.extract.structure import page_name, section_records, table_records
from diffing.normalize import find_region, strip_noise, to_lines
from diffing.textutil import decode


def extract(body: bytes, *, selector: str | None = None, url: str = "") -> Document:
    """The page's main content as lines, section records and table-row records."""
    region = find_region(decode(body), selector)
    root = strip_noise(region.root)
    lines = to_lines(root)
    rows, captions = table_records(root)
    name = page_name(region.title)
    records = {**section_records(lines, captions, name), **rows}
    for record in records.values():
        record["page"] = name
    return Document(
        kind="page",
        text="\n".join(lines),
        records=records,
        meta={"title": region.title, "modified": region.modified, "lang": region.lang},
    )
