"""Extractors, one per watch kind: bytes in, a Document out (or ContentError)."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from diffing.document import ContentError, Document

Extractor = Callable[..., Document]

# kind → the module of diffing.extract that reads it.
MODULES = {
    "page": "page",
    "ee-rounds": "ee_rounds",
    "atom": "atom",
    "ee-categories": "ee_categories",
    "events": "events",
    "pnp-updates": "pnp_updates",
    "processing-times": "processing_times",
    "iec-pools": "iec_pools",
    "json": "json_records",
}


def _lazy(module: str) -> Extractor:
    """The extractor of ``module``, imported at its first call: a check that ends at the
    pre-check never loads BeautifulSoup, lxml or feedparser."""

    def run(*args, **kwargs) -> Document:
        return importlib.import_module(f"diffing.extract.{module}").extract(*args, **kwargs)

    run.__name__ = f"{module}.extract"
    return run


EXTRACTORS: dict[str, Extractor] = {kind: _lazy(module) for kind, module in MODULES.items()}


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
            return extractor(body, selector=selector, url=url, records=records, key=key)
        if region is not None:
            return extractor(body, selector=selector, url=url, region=region)
        return extractor(body, selector=selector, url=url)
    except RecursionError:
        raise ContentError("unreadable body", "elements nested too deeply") from None
