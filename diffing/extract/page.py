"""Kind ``page``: any program page, as readable lines grouped in sections by heading."""

from __future__ import annotations

from diffing.document import Document
from diffing.normalize import find_region, strip_noise, to_lines
from diffing.textutil import decode


def extract(body: bytes, *, selector: str | None = None, url: str = "") -> Document:
    """The page's main content as lines; records stay empty for a plain page."""
    region = find_region(decode(body), selector)
    lines = to_lines(strip_noise(region.root))
    return Document(
        kind="page",
        text="\n".join(lines),
        meta={"title": region.title, "modified": region.modified, "lang": region.lang},
    )
