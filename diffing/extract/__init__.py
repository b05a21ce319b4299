"""Extractors, one per watch kind: bytes in, a Document out (or ContentError)."""

from __future__ import annotations

from collections.abc import Callable

from diffing.document import ContentError, Document
from diffing.extract import (
    atom,
    ee_categories,
    ee_rounds,
    events,
    iec_pools,
    json_records,
    page,
    pnp_updates,
    processing_times,
)

Extractor = Callable[..., Document]

EXTRACTORS: dict[str, Extractor] = {
    "page": page.extract,
    "ee-rounds": ee_rounds.extract,
    "atom": atom.extract,
    "ee-categories": ee_categories.extract,
    "events": events.extract,
    "pnp-updates": pnp_updates.extract,
    "processing-times": processing_times.extract,
    "iec-pools": iec_pools.extract,
    "json": json_records.extract,
}


def extract(
    kind: str,
    body: bytes,
    *,
    selector: str | None = None,
    url: str = "",
    region: str | None = None,
    records: str | None = None,
    key: str | None = None,
) -> Document:
    """Run the extractor for ``kind`` on a fetched body.

    ``region`` is the content-region rule of the watch's baseline (``diffing.region``),
    handed only to the HTML kinds, which record the rule they used in ``Document.meta``.
    ``records`` and ``key`` (kind ``json`` only) say where the records are and what names one.
    A body nested deeper than the readers can follow (1,500 unclosed ``<div>``) is a content
    fault, not a crash.
    """
    try:
        extractor = EXTRACTORS[kind]
    except KeyError:
        raise ValueError(f"no extractor for kind {kind!r}") from None
    try:
        if kind == "json":
            return json_records.extract(body, selector=selector, url=url, records=records, key=key)
        if region is not None:
            return extractor(body, selector=selector, url=url, region=region)
        return extractor(body, selector=selector, url=url)
    except RecursionError:
        raise ContentError("unreadable body", "elements nested too deeply") from None
