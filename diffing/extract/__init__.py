"""Extractors, one per watch kind: bytes in, a Document out (or ContentError)."""

from __future__ import annotations

from collections.abc import Callable

from diffing.document import Document
from diffing.extract import atom, ee_categories, ee_rounds, events, page, pnp_updates

Extractor = Callable[..., Document]

EXTRACTORS: dict[str, Extractor] = {
    "page": page.extract,
    "ee-rounds": ee_rounds.extract,
    "atom": atom.extract,
    "ee-categories": ee_categories.extract,
    "events": events.extract,
    "pnp-updates": pnp_updates.extract,
}


def extract(kind: str, body: bytes, *, selector: str | None = None, url: str = "") -> Document:
    """Run the extractor for ``kind`` on a fetched body."""
    try:
        extractor = EXTRACTORS[kind]
    except KeyError:
        raise ValueError(f"no extractor for kind {kind!r}") from None
    return extractor(body, selector=selector, url=url)
