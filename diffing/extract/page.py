"""Kind ``page``: any program page, as sections of sentences plus one record per table row.

The classifier diffs sentences inside each section (``rule_change`` when a figure or a
list item changed) and table rows by their first column (occupations added or removed).
"""

from __future__ import annotations

from diffing.document import Document
from diffing.extract.structure import own_title, page_name, section_records, table_records
from diffing.normalize import read_region, region_meta, to_lines


def extract(
    body: bytes, *, selector: str | None = None, url: str = "", region: str | None = None
) -> Document:
    """The page's main content as lines, section records and table-row records."""
    found = read_region(body, selector, region)
    root = found.root
    lines = to_lines(root)
    rows, captions = table_records(root)
    name = own_title(lines) or page_name(found.title)
    records = {**section_records(lines, captions, name), **rows}
    for record in records.values():
        record["page"] = name
    return Document(
        kind="page",
        text="\n".join(lines),
        records=records,
        meta=region_meta(found),
    )
