"""A cheap fingerprint of the part of a body that can matter, computed without parsing.

It imports no parser: a check that ends here never loads BeautifulSoup or soupsieve.
"""

from __future__ import annotations

import hashlib
import re

from diffing.region import region_bytes

HTML_KINDS = {"page", "ee-categories", "events", "pnp-updates"}
_FIRST_ENTRY = re.compile(rb"<(?:entry|item)\b")


def region_fingerprint(body: bytes, rule: str | None = None) -> str | None:
    """Hash of the content region's bytes under ``rule``, found without parsing.

    Most checks find nothing new, yet canada.ca HTML differs on every fetch (the Akamai
    script); this cheap hash lets an unchanged page skip the full parse.
    """
    chunk = region_bytes(body, rule)
    return hashlib.sha256(chunk).hexdigest() if chunk is not None else None


def fingerprint(kind: str, body: bytes, rule: str | None = None) -> str | None:
    """Equal fingerprints mean equal content, so the parse can be skipped; None means unknown.

    For HTML kinds it hashes the content region found by ``rule``, the region rule the
    watch's baseline used (the same rule the extractor will follow).
    """
    if kind in HTML_KINDS:
        return region_fingerprint(body, rule)
    if kind == "atom":
        # Atom <entry>, RSS and RDF <item>: what precedes them (the feed's build time) is not
        # content.
        match = _FIRST_ENTRY.search(body)
        return hashlib.sha256(body[match.start() :]).hexdigest() if match else None
    return None
